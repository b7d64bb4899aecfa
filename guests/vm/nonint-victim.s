// nonint-victim: the victim VM of the two-run noninterference checks (src/check/nonint.ts,
// `sekvm-sim nonint`). It holds a secret in private memory and in registers while it takes every
// kind of exit KServ sees, shares pages with the host for I/O, and prints nothing that depends on
// the secret. Its architectural observations (registers at each synchronous exit, memory, UART)
// depend on no timing: it reads no counter, takes no interrupt and never waits.
//
// The secret is not in the image (KServ loads and reads boot images): the checker writes it into
// the page at SECRET_IPA when KCore first maps that page for this VM, i.e. it lies in private
// memory only. Without a checker the page reads 0 (fresh memory), which is a secret too.
//   1. loads 8 secret words into x19-x26 and their xor-fold into x27/x28 (kept there to the end)
//   2. fills PRIV_PAGES pages at PRIV_IPA with words derived from the secret (stage-2 faults)
//   3. prints (MMIO exits), PSCI_VERSION (an HVC exit) with the secret in x19-x28
//   4. I/O through the block device with the sharing discipline of lib/virtio.s: a page of
//      secret-independent data is written to sector PUB_SECTOR, read back into another page and
//      compared (KVM_SET_DESC_PFN / KVM_UNSET_DESC_PFN around each request)
//   5. recomputes the private pages and checks they still hold what it wrote
// Output (the same for every secret):
//   nonint-victim: start
//   nonint-victim: secret loaded, 4 private pages written
//   nonint-victim: PSCI version >= 0.2: yes
//   nonint-victim: shared I/O: write status 0, read status 0, mismatches 0
//   nonint-victim: private pages intact: yes
//   nonint-victim: done
.equ SECRET_IPA, 0x42000000             // the checker's secret lands here (first touch)
.equ PRIV_IPA,   0x42100000             // PRIV_PAGES pages derived from the secret
.equ PRIV_PAGES, 4
.equ PUB_SECTOR, 200                    // the shared data goes to sectors 200-207
.equ MIX_PAGE,   0x9e3779b97f4a7c15
.equ MIX_WORD,   0xc2b2ae3d27d4eb4f
.equ PUB_MUL,    0x165667b19e3779f9

.text
main:
    stp x29, x30, [sp, #-128]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    SAY "nonint-victim: start"

    // 1. The secret: its page faults in on this first load.
    ldr x0, =SECRET_IPA
    ldp x19, x20, [x0]
    ldp x21, x22, [x0, #16]
    ldp x23, x24, [x0, #32]
    ldp x25, x26, [x0, #48]
    eor x27, x19, x20
    eor x27, x27, x21
    eor x27, x27, x22
    eor x27, x27, x23
    eor x27, x27, x24
    eor x27, x27, x25
    eor x27, x27, x26
    ror x28, x27, #17

    // 2. Private pages derived from the secret.
    mov x0, #0
1:  bl priv_fill
    add x0, x0, #1
    cmp x0, #PRIV_PAGES
    b.lo 1b
    bl uart_lock
    PUTS "nonint-victim: secret loaded, "
    mov x0, #PRIV_PAGES
    bl putdec
    PUTS " private pages written\n"
    bl uart_unlock

    // 3. An HVC exit with the secret in x19-x28.
    bl psci_version
    lsr x0, x0, #16
    cbz x0, 2f
    SAY "nonint-victim: PSCI version >= 0.2: yes"
    b 3f
2:  SAY "nonint-victim: PSCI version >= 0.2: no"

    // 4. Shared I/O of secret-independent data. virtio_blk_io saves x19-x22 on the (private)
    // stack; x23-x28 keep the secret through the grants, the notify and the revokes.
3:  adrp x0, pub_page
    add x0, x0, :lo12:pub_page
    bl pub_fill
    adrp x0, req_page
    add x0, x0, :lo12:req_page
    mov w1, #VREQ_WRITE
    mov x2, #PUB_SECTOR
    adrp x3, pub_page
    add x3, x3, :lo12:pub_page
    mov w4, #4096
    bl virtio_blk_io
    str x0, [sp, #96]                   // write status
    adrp x0, back_page
    add x0, x0, :lo12:back_page
    add x1, x0, #4096
4:  stp xzr, xzr, [x0], #16             // touch and clear the read buffer
    cmp x0, x1
    b.lo 4b
    adrp x0, req_page
    add x0, x0, :lo12:req_page
    mov w1, #VREQ_READ
    mov x2, #PUB_SECTOR
    adrp x3, back_page
    add x3, x3, :lo12:back_page
    mov w4, #4096
    bl virtio_blk_io
    str x0, [sp, #104]                  // read status
    adrp x0, back_page
    add x0, x0, :lo12:back_page
    bl pub_check
    str x0, [sp, #112]                  // mismatches
    bl uart_lock
    PUTS "nonint-victim: shared I/O: write status "
    ldr x0, [sp, #96]
    bl putdec
    PUTS ", read status "
    ldr x0, [sp, #104]
    bl putdec
    PUTS ", mismatches "
    ldr x0, [sp, #112]
    bl putdec
    bl putnl
    bl uart_unlock

    // 5. The private pages still hold what was written.
    mov x0, #0
    mov x1, #0
5:  bl priv_check
    add x0, x0, #1
    cmp x0, #PRIV_PAGES
    b.lo 5b
    cbnz x1, 6f
    SAY "nonint-victim: private pages intact: yes"
    b 7f
6:  SAY "nonint-victim: private pages intact: no"

7:  SAY "nonint-victim: done"
    ldp x27, x28, [sp, #80]
    ldp x25, x26, [sp, #64]
    ldp x23, x24, [sp, #48]
    ldp x21, x22, [sp, #32]
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #128
    ret

// priv_word(x0 = page index, x2 = word index) -> x3 = the word written there:
// secret[j mod 8] ^ (page * MIX_PAGE) ^ (j * MIX_WORD). Clobbers x4, x5.
priv_word:
    and x4, x2, #7
    ldr x5, =SECRET_IPA
    ldr x3, [x5, x4, lsl #3]
    ldr x4, =MIX_PAGE
    mul x4, x4, x0
    eor x3, x3, x4
    ldr x4, =MIX_WORD
    mul x4, x4, x2
    eor x3, x3, x4
    ret

// priv_fill(x0 = page index): writes the page's 512 words. Preserves x0, x1.
priv_fill:
    stp x29, x30, [sp, #-16]!
    ldr x7, =PRIV_IPA
    add x7, x7, x0, lsl #12
    mov x2, #0
1:  bl priv_word
    str x3, [x7, x2, lsl #3]
    add x2, x2, #1
    cmp x2, #512
    b.lo 1b
    ldp x29, x30, [sp], #16
    ret

// priv_check(x0 = page index, x1 = mismatches so far) -> x1 += words that differ. Preserves x0.
priv_check:
    stp x29, x30, [sp, #-16]!
    ldr x7, =PRIV_IPA
    add x7, x7, x0, lsl #12
    mov x2, #0
1:  bl priv_word
    ldr x6, [x7, x2, lsl #3]
    cmp x3, x6
    cinc x1, x1, ne
    add x2, x2, #1
    cmp x2, #512
    b.lo 1b
    ldp x29, x30, [sp], #16
    ret

// pub_fill(x0 = page): word j = (j + 1) * PUB_MUL (no secret in it)
pub_fill:
    ldr x4, =PUB_MUL
    mov x2, #0
1:  add x3, x2, #1
    mul x3, x3, x4
    str x3, [x0, x2, lsl #3]
    add x2, x2, #1
    cmp x2, #512
    b.lo 1b
    ret

// pub_check(x0 = page) -> x0 = words that differ from pub_fill's
pub_check:
    ldr x4, =PUB_MUL
    mov x2, #0
    mov x5, #0
1:  add x3, x2, #1
    mul x3, x3, x4
    ldr x6, [x0, x2, lsl #3]
    cmp x3, x6
    cinc x5, x5, ne
    add x2, x2, #1
    cmp x2, #512
    b.lo 1b
    mov x0, x5
    ret

.bss
.balign 4096
req_page:  .skip 4096
pub_page:  .skip 4096
back_page: .skip 4096
