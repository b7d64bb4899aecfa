// virtio: an I/O loop on the block device (slot 0; protocol in lib/virtio.s and README.md).
// Demonstrates the SeKVM I/O discipline: the device model runs in the untrusted host, which
// may touch only VM pages the VM granted, so each request is: fill the request block and the
// buffer, KVM_SET_DESC_PFN both pages, notify, check the status, KVM_UNSET_DESC_PFN both.
// It reads never-written sectors (default contents), writes K requests of 4 KB, reads each
// back and verifies it, re-reads the first one (writes persist), then shows what happens
// WITHOUT a grant. Needs our hypervisor's device (QEMU's virt board has none).
//
// Every line is the same under KVM and SeKVM except those starting "[mode-dependent]"
// (a test filters them): without grants SeKVM's host cannot reach the pages, plain KVM's can.
//
// Output:
//   virtio: slot 0: device 2 (block), slot 1: device 1 (net), slot 2: device 0 (empty)
//   virtio: unwritten sectors 7-14: status 0, contents ok
//   virtio: 16 writes + 16 reads of 4096 bytes: status errors 0, data mismatches 0, interrupt-status errors 0
//   virtio: sector 64 after the loop: status 0, contents ok
//   [mode-dependent] buffer page not granted: status 2, buffer changed: no      (SeKVM)
//   [mode-dependent] request page not granted: status 0xffffffff                (SeKVM)
//   virtio: done
.equ K, 16                              // write+read pairs
.equ FIRST_SECTOR, 64                   // request k uses sectors FIRST_SECTOR + 8k ...
.equ LEN, 4096                          // bytes per request (8 sectors)
.equ PRISTINE_SECTOR, 7                 // never written
.equ WORD_MUL, 0x9e3779b97f4a7c15

.text
main:
    stp x29, x30, [sp, #-96]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]

    // Identify the slots.
    mov x0, #0
    bl virtio_probe
    mov x19, x0
    mov x0, #1
    bl virtio_probe
    mov x20, x0
    mov x0, #2
    bl virtio_probe
    mov x21, x0
    bl uart_lock
    PUTS "virtio: slot 0: device "
    PUTDEC x19
    PUTS " (block), slot 1: device "
    PUTDEC x20
    PUTS " (net), slot 2: device "
    PUTDEC x21
    PUTS " (empty)\n"
    bl uart_unlock
    cmp x19, #VIRTIO_ID_BLOCK
    b.eq 1f
    SAY "virtio: no block device in slot 0"
    b 90f

    // Default contents of sectors never written.
1:  adrp x0, buf_page
    add x0, x0, :lo12:buf_page
    bl zero_page
    adrp x0, req_page
    add x0, x0, :lo12:req_page
    mov w1, #VREQ_READ
    mov x2, #PRISTINE_SECTOR
    adrp x3, buf_page
    add x3, x3, :lo12:buf_page
    mov w4, #LEN
    bl virtio_blk_io
    mov x19, x0
    adrp x0, buf_page
    add x0, x0, :lo12:buf_page
    mov x1, #PRISTINE_SECTOR
    bl check_default
    mov x20, x0
    bl uart_lock
    PUTS "virtio: unwritten sectors "
    mov x0, #PRISTINE_SECTOR
    bl putdec
    PUTS "-"
    mov x0, #(PRISTINE_SECTOR + LEN / SECTOR_SIZE - 1)
    bl putdec
    PUTS ": status "
    PUTDEC x19
    bl print_contents
    bl uart_unlock

    // The I/O loop.
    mov x22, #0                         // k
    mov x23, #0                         // status errors
    mov x24, #0                         // data mismatches (words)
    mov x25, #0                         // interrupt-status errors
2:  adrp x0, buf_page
    add x0, x0, :lo12:buf_page
    mov x1, x22
    bl fill_pattern
    mov w1, #VREQ_WRITE
    bl io_k
    adrp x0, buf_page
    add x0, x0, :lo12:buf_page
    bl zero_page
    mov w1, #VREQ_READ
    bl io_k
    adrp x0, buf_page
    add x0, x0, :lo12:buf_page
    mov x1, x22
    bl check_pattern
    add x24, x24, x0
    add x22, x22, #1
    cmp x22, #K
    b.lo 2b
    bl uart_lock
    PUTS "virtio: "
    mov x0, #K
    bl putdec
    PUTS " writes + "
    bl putdec
    PUTS " reads of "
    mov x0, #LEN
    bl putdec
    PUTS " bytes: status errors "
    PUTDEC x23
    PUTS ", data mismatches "
    PUTDEC x24
    PUTS ", interrupt-status errors "
    PUTDEC x25
    bl putnl
    bl uart_unlock

    // Persistence: request 0's sectors still hold request 0's data.
    adrp x0, buf_page
    add x0, x0, :lo12:buf_page
    bl zero_page
    mov x22, #0
    mov w1, #VREQ_READ
    bl io_k
    mov x19, x0
    adrp x0, buf_page
    add x0, x0, :lo12:buf_page
    mov x1, #0
    bl check_pattern
    mov x20, x0
    bl uart_lock
    PUTS "virtio: sector "
    mov x0, #FIRST_SECTOR
    bl putdec
    PUTS " after the loop: status "
    PUTDEC x19
    bl print_contents
    bl uart_unlock

    // Without grants. (a) The request page is granted, the buffer page is not.
    adrp x26, req2_page
    add x26, x26, :lo12:req2_page
    adrp x27, buf2_page
    add x27, x27, :lo12:buf2_page
    mov x0, x27
    bl zero_page                        // touched (mapped), but not granted
    mov x0, x26
    mov w1, #VREQ_READ
    mov x2, #PRISTINE_SECTOR
    mov x3, x27
    mov w4, #LEN
    bl virtio_req_fill
    mov x0, x26
    mov x1, #4096
    bl kvm_set_desc_pfn
    mov x0, #0
    mov x1, x26
    bl virtio_submit
    mov x19, x0
    mov x0, x26
    mov x1, #4096
    bl kvm_unset_desc_pfn
    mov x0, x27
    bl page_is_zero
    mov x20, x0
    bl uart_lock
    PUTS "[mode-dependent] buffer page not granted: status "
    PUTDEC x19
    PUTS ", buffer changed: "
    cbz x20, 3f
    PUTS "no\n"
    b 4f
3:  PUTS "yes\n"
4:  bl uart_unlock

    // (b) Nothing granted: the device cannot even write the status.
    mov x0, x26
    mov w1, #VREQ_READ
    mov x2, #PRISTINE_SECTOR
    mov x3, x27
    mov w4, #LEN
    bl virtio_req_fill
    mov x0, #0
    mov x1, x26
    bl virtio_submit
    mov x19, x0
    bl uart_lock
    PUTS "[mode-dependent] request page not granted: status "
    PUTHEX x19
    bl putnl
    bl uart_unlock

90: SAY "virtio: done"
    ldp x27, x28, [sp, #80]
    ldp x25, x26, [sp, #64]
    ldp x23, x24, [sp, #48]
    ldp x21, x22, [sp, #32]
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #96
    ret

// io_k(w1 = type; x22 = k, x23/x25 = error counters): request k on buf_page through
// req_page with grants; counts a non-zero status in x23 and a missing InterruptStatus bit 0
// in x25. Returns the status in x0.
io_k:
    stp x29, x30, [sp, #-16]!
    adrp x0, req_page
    add x0, x0, :lo12:req_page
    mov x2, #(LEN / SECTOR_SIZE)
    mov x3, #FIRST_SECTOR
    madd x2, x22, x2, x3
    adrp x3, buf_page
    add x3, x3, :lo12:buf_page
    mov w4, #LEN
    bl virtio_blk_io
    cmp x0, #0
    cinc x23, x23, ne
    tst x1, #1
    cinc x25, x25, eq
    ldp x29, x30, [sp], #16
    ret

// print_contents(x20 = mismatches): ", contents ok\n" or ", contents WRONG (n)\n"
print_contents:
    stp x29, x30, [sp, #-16]!
    cbnz x20, 1f
    PUTS ", contents ok\n"
    b 2f
1:  PUTS ", contents WRONG ("
    PUTDEC x20
    PUTS ")\n"
2:  ldp x29, x30, [sp], #16
    ret

// zero_page(x0 = page)
zero_page:
    add x1, x0, #4096
1:  stp xzr, xzr, [x0], #16
    cmp x0, x1
    b.lo 1b
    ret

// page_is_zero(x0 = page) -> x0 = 1 if every byte is 0
page_is_zero:
    add x1, x0, #4096
    mov x3, #0
1:  ldr x2, [x0], #8
    orr x3, x3, x2
    cmp x0, x1
    b.lo 1b
    cmp x3, #0
    cset x0, eq
    ret

// fill_pattern(x0 = buffer, x1 = k): word j = ((k << 16) | j) * WORD_MUL, LEN / 8 words
fill_pattern:
    ldr x4, =WORD_MUL
    mov x2, #0
1:  orr x3, x2, x1, lsl #16
    mul x3, x3, x4
    str x3, [x0, x2, lsl #3]
    add x2, x2, #1
    cmp x2, #(LEN / 8)
    b.lo 1b
    ret

// check_pattern(x0 = buffer, x1 = k) -> x0 = words that differ from fill_pattern's
check_pattern:
    ldr x4, =WORD_MUL
    mov x2, #0
    mov x5, #0
1:  orr x3, x2, x1, lsl #16
    mul x3, x3, x4
    ldr x6, [x0, x2, lsl #3]
    cmp x3, x6
    cinc x5, x5, ne
    add x2, x2, #1
    cmp x2, #(LEN / 8)
    b.lo 1b
    mov x0, x5
    ret

// check_default(x0 = buffer, x1 = first sector) -> x0 = bytes that differ from the default
// contents: byte i of sector s is (s * 31 + i) & 0xff.
check_default:
    mov x5, #0                          // mismatches
    mov x2, #0                          // byte offset in the buffer
1:  lsr x3, x2, #9                      // sector within the request
    add x3, x3, x1
    mov x4, #31
    mul x3, x3, x4
    and x4, x2, #(SECTOR_SIZE - 1)
    add x3, x3, x4
    and x3, x3, #0xff
    ldrb w4, [x0, x2]
    cmp x3, x4
    cinc x5, x5, ne
    add x2, x2, #1
    cmp x2, #LEN
    b.lo 1b
    mov x0, x5
    ret

.bss
.balign 4096
req_page:  .skip 4096
buf_page:  .skip 4096
req2_page: .skip 4096
buf2_page: .skip 4096
