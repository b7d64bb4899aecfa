// mmu-bare: the MMU benchmark of src/bench/mmu.ts as a self-contained bare-metal image, so the
// same work can be timed under qemu-system-aarch64 (src/bench/qemu-ratio.ts). It boots at EL2
// on the QEMU virt board (`-M virt,virtualization=on -semihosting -kernel`, or `sekvm-sim
// bare`), builds identity stage-2 and stage-1 tables with 4 KB pages, enables both stages and
// runs two phases at EL1, each ended by an HVC that EL2 reports on the PL011 UART:
//   hvc #1  phase 1, TLB hits: N1 iterations of 10 instructions (2 loads, 2 stores) on two pages
//   hvc #2  phase 2, page stride: N2 passes of one load per 4 KB page over 64 MiB, so every
//           access misses a TLB of fewer than 16,384 entries; then SYS_EXIT with status 0
// Each phase passes a checksum in x0, which EL2 prints: the transcript shows that both machines
// did the same computation through the same translations. Any other exception prints a
// report and exits with status 1.
//
// Standalone on purpose (not the conformance library): the benchmark times exactly this file.
// src/bench/qemu-ratio.ts scales the run by replacing the values of the `.equ N1` and
// `.equ N2` lines (both must stay >= 1), as src/guests/build.ts does for VM guests.
//
// Memory (the virt board's RAM is at 0x4000_0000):
//   0x4000_0000  QEMU's DTB (unused)
//   0x4008_0000  this image: code, then .bss (page tables, EL2 stack)
//   0x4100_0000  the 64 MiB stride buffer (BUF_BASE), outside the image: EL2 writes word 0 of
//                each page (its own address) before EL1 reads it, so nothing relies on RAM
//                being zero and the ELF stays small
// Both stages map [RAM_BASE, RAM_BASE + MAP_BYTES) one-to-one with 4 KB pages (Normal
// write-back, read/write, executable) and VA/IPA 0-1 GB as one Device-nGnRE block (the UART).
// Register values: ../shared/spec/arm.md (§1 stage 2, §2 stage 1, §3.3 SPSR, §4 HCR_EL2).

.equ N1,              50000000          // phase 1 iterations
.equ N2,              512               // phase 2 passes over the buffer

.equ UART_BASE,       0x09000000        // PL011 data register
.equ RAM_BASE,        0x40000000
.equ MAP_BYTES,       (128 << 20)       // mapped with 4 KB pages at both stages
.equ L3_TABLES,       (MAP_BYTES >> 21) // one level-3 table per 2 MB
.equ TABLE_BYTES,     ((2 + L3_TABLES) * 4096)   // level 1, level 2, the level-3 tables
.equ BUF_BASE,        (RAM_BASE + (16 << 20))
.equ BUF_PAGES,       ((64 << 20) >> 12)

.equ HCR_VM,          (1 << 0)
.equ HCR_RW,          (1 << 31)
.equ SCTLR_EL2_RES1,  0x30c50830        // EL2 MMU and caches off, little-endian
.equ SCTLR_EL1_RES1,  0x30d00800        // v8.0 RES1 bits 29,28,23,22,20,11
.equ SCTLR_EL1_MCI,   (SCTLR_EL1_RES1 | (1 << 0) | (1 << 2) | (1 << 12))   // M, C, I
// VTCR_EL2: T0SZ 25 (39-bit IPA), SL0 1 (start at level 1, one table), IRGN0/ORGN0 WBWA,
// SH0 inner, TG0 4 KB, PS 40 bits, RES1 bit 31 (the values of src/bench/mmu.ts)
.equ VTCR_VAL,        ((1 << 31) | (2 << 16) | (3 << 12) | (1 << 10) | (1 << 8) | (1 << 6) | 25)
.equ VMID,            1
// TCR_EL1: T0SZ 25 (39-bit VA, level-1 start), IRGN0/ORGN0 WBWA, SH0 inner, TG0 4 KB,
// EPD1 (no TTBR1 walks), IPS 40 bits
.equ TCR_VAL,         ((2 << 32) | (1 << 23) | (3 << 12) | (1 << 10) | (1 << 8) | 25)
.equ MAIR_VAL,        0x04ff            // attr 0 Normal write-back, attr 1 Device-nGnRE
.equ SPSR_EL1H_MASKED, 0x3c5            // EL1h, DAIF masked

// Descriptors (arm.md §1.5, §2): bits[1:0] 11 = table or page, 01 = block; AF bit 10
.equ DESC_TABLE,      0x3
// stage 2: MemAttr[5:2] 0xF Normal WB, S2AP[7:6] RW, SH[9:8] inner, AF
.equ S2_PAGE,         ((0xf << 2) | (3 << 6) | (3 << 8) | (1 << 10) | 0x3)
// stage 2: MemAttr 0x1 Device-nGnRE, S2AP RW, AF, block
.equ S2_DEV_BLOCK,    ((0x1 << 2) | (3 << 6) | (1 << 10) | 0x1)
// stage 1: AttrIndx 0, AP 00 (EL1 read/write), SH inner, AF, executable
.equ S1_PAGE,         ((3 << 8) | (1 << 10) | 0x3)
// stage 1: AttrIndx 1, AF, PXN, UXN, block
.equ S1_DEV_BLOCK,    ((1 << 54) | (1 << 53) | (1 << 10) | (1 << 2) | 0x1)

.equ EC_HVC64,        0x16
.equ HVC_EL1_VECTOR,  0xbad             // EL1 vectors: hvc #0xbad, x0 = vector offset

.text
.global _start
_start:
    ldr x0, =SCTLR_EL2_RES1
    msr sctlr_el2, x0
    adr x0, el2_vectors
    msr vbar_el2, x0
    adrp x0, el2_stack_top
    add x0, x0, :lo12:el2_stack_top
    mov sp, x0
    isb
    adr x0, s_banner
    bl puts
    ldr x0, =N1
    bl puthex
    adr x0, s_n2
    bl puts
    ldr x0, =N2
    bl puthex
    bl putnl

    // The stride buffer: word 0 of each page = the page's address (MMU off at EL2: PA).
    ldr x1, =BUF_BASE
    ldr x2, =(BUF_BASE + BUF_PAGES * 4096)
1:  str x1, [x1]
    add x1, x1, #4096
    cmp x1, x2
    b.lo 1b

    // Stage 2 (VMID 1), then the EL1&0 stage 1. Both map RAM with pages, the UART as a block.
    adrp x0, s2_tables
    add x0, x0, :lo12:s2_tables
    ldr x1, =S2_PAGE
    ldr x2, =S2_DEV_BLOCK
    bl build_identity
    orr x0, x0, #(VMID << 48)
    msr vttbr_el2, x0
    ldr x0, =VTCR_VAL
    msr vtcr_el2, x0
    adrp x0, s1_tables
    add x0, x0, :lo12:s1_tables
    ldr x1, =S1_PAGE
    ldr x2, =S1_DEV_BLOCK
    bl build_identity
    msr ttbr0_el1, x0
    ldr x0, =TCR_VAL
    msr tcr_el1, x0
    ldr x0, =MAIR_VAL
    msr mair_el1, x0
    ldr x0, =SCTLR_EL1_MCI
    msr sctlr_el1, x0
    adr x0, el1_vectors
    msr vbar_el1, x0
    ldr x0, =(HCR_RW | HCR_VM)
    msr hcr_el2, x0
    dsb ish                             // table writes complete before any walk
    tlbi alle1                          // nothing cached for the EL1&0 regime
    dsb ish
    adr x0, el1_main
    msr elr_el2, x0
    mov x0, #SPSR_EL1H_MASKED
    msr spsr_el2, x0
    isb
    eret

// build_identity(x0 = TABLE_BYTES of zeroed, 4 KB-aligned memory, x1 = page descriptor
// attributes, x2 = block descriptor for 0-1 GB) -> x0 = the level-1 root (= x0).
// Layout: root, one level-2 table (the GB at RAM_BASE), then L3_TABLES level-3 tables in a
// row, so level-3 entry i maps RAM_BASE + 4096 * i. Clobbers x3..x9.
build_identity:
    add x4, x0, #4096                   // level 2
    add x5, x0, #8192                   // level-3 tables
    str x2, [x0]                        // root[0]: VA/IPA 0-1 GB
    orr x6, x4, #DESC_TABLE
    str x6, [x0, #8]                    // root[1]: 1-2 GB, RAM_BASE is its first byte
    mov x6, #0
    mov x7, #RAM_BASE
    ldr x9, =(L3_TABLES * 512)
2:  orr x8, x7, x1
    str x8, [x5, x6, lsl #3]
    add x7, x7, #4096
    add x6, x6, #1
    cmp x6, x9
    b.lo 2b
    mov x6, #0
3:  add x8, x5, x6, lsl #12
    orr x8, x8, #DESC_TABLE
    str x8, [x4, x6, lsl #3]
    add x6, x6, #1
    cmp x6, #L3_TABLES
    b.lo 3b
    ret

// ---- EL1: the measured phases (no stack; nothing is live across an hvc) ----
el1_main:
    adr x0, s_el1                       // the UART through both stages
    bl puts

    // Phase 1: ten instructions per iteration, two loads and two stores on two pages.
    adrp x1, hot
    add x1, x1, :lo12:hot
    ldr x9, =N1
    mov x0, #1
    mov x2, #0
4:  ldr x3, [x1]                        // page 0: the value stored last iteration
    add x3, x3, x9
    eor x2, x2, x3, lsl #3
    str x3, [x1]
    ldr x4, [x1, #4096]                 // page 1
    add x4, x4, x2, lsr #5
    str x4, [x1, #4096]
    orr x0, x0, x4
    subs x9, x9, #1
    b.ne 4b
    eor x0, x0, x2
    hvc #1

    // Phase 2: one load per 4 KB page over the 64 MiB buffer, N2 passes; x0 = sum of the words.
    ldr x10, =N2
    mov x4, #0
5:  ldr x1, =BUF_BASE
    mov x2, #BUF_PAGES
6:  ldr x3, [x1]
    add x4, x4, x3
    add x1, x1, #4096
    subs x2, x2, #1
    b.ne 6b
    subs x10, x10, #1
    b.ne 5b
    mov x0, x4
    hvc #2
7:  b 7b

// ---- EL2 exception handlers ----
// A lower-EL synchronous exception: hvc #1 / #2 from the phases, hvc #HVC_EL1_VECTOR from the
// EL1 vectors; anything else is reported as unexpected.
el2_lower_sync:
    stp x0, x1, [sp, #-96]!
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    str x30, [sp, #80]
    mrs x1, esr_el2
    lsr x2, x1, #26
    cmp x2, #EC_HVC64
    b.ne 10f
    and x2, x1, #0xffff
    mov x9, x0                          // the phase's checksum
    cmp x2, #1
    b.eq 8f
    cmp x2, #2
    b.eq 9f
    cmp x2, #HVC_EL1_VECTOR
    b.eq el1_exception
10: mov x0, #0x400                      // lower EL, AArch64, synchronous
    b el2_unexpected
8:  adr x0, s_phase1
    bl puts
    mov x0, x9
    bl puthex
    bl putnl
    ldr x30, [sp, #80]
    ldp x8, x9, [sp, #64]
    ldp x6, x7, [sp, #48]
    ldp x4, x5, [sp, #32]
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp], #96
    eret                                // ELR_EL2: the instruction after the hvc
9:  adr x0, s_phase2
    bl puts
    mov x0, x9
    bl puthex
    bl putnl
    adr x0, s_end
    bl puts
    adr x1, exit_block_ok
    b sys_exit

// An exception taken to EL1: its vector sent x0 = offset; report ESR/ELR/FAR_EL1 and stop.
el1_exception:
    mov x19, x0
    mrs x20, esr_el1
    mrs x21, elr_el1
    mrs x22, far_el1
    adr x0, s_el1_exc
    b report

// Any other exception taken to EL2 (x0 = vector offset): report ESR/ELR/FAR_EL2 and stop.
el2_unexpected:
    mov x19, x0
    mrs x20, esr_el2
    mrs x21, elr_el2
    mrs x22, far_el2
    adr x0, s_el2_exc
// report(x0 = heading, x19 = vector offset, x20 = ESR, x21 = ELR, x22 = FAR): one line, then
// SYS_EXIT with status 1.
report:
    bl puts
    mov x0, x19
    bl puthex
    adr x0, s_esr
    bl puts
    mov x0, x20
    bl puthex
    adr x0, s_elr
    bl puts
    mov x0, x21
    bl puthex
    adr x0, s_far
    bl puts
    mov x0, x22
    bl puthex
    bl putnl
    adr x1, exit_block_fail
// sys_exit(x1 = parameter block): semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit.
sys_exit:
    mov x0, #0x18
    hlt #0xf000
15: wfi
    b 15b

// ---- UART output (EL2, or EL1 through the 0-1 GB device mapping; no stack) ----
// puts(x0 = NUL-terminated string); clobbers x0..x2.
puts:
    mov x1, #UART_BASE
11: ldrb w2, [x0], #1
    cbz w2, 12f
    str w2, [x1]
    b 11b
12: ret

// puthex(x0): "0x" and x0 in hex without leading zeros; clobbers x0..x5.
puthex:
    mov x1, #UART_BASE
    mov w2, #'0'
    str w2, [x1]
    mov w2, #'x'
    str w2, [x1]
    mov x3, #60                         // shift of the current digit
    mov x4, #0                          // 1 once a digit has been printed
13: lsr x2, x0, x3
    and x2, x2, #0xf
    orr x5, x2, x4
    cmp x3, #0
    ccmp x5, #0, #0, ne                 // skip leading zeros, but always print the last digit
    b.eq 14f
    mov x4, #1
    cmp x2, #10
    add x5, x2, #'0'
    add x2, x2, #('a' - 10)
    csel x5, x5, x2, lo
    str w5, [x1]
14: subs x3, x3, #4
    b.ge 13b
    ret

// putnl(); clobbers x1, x2.
putnl:
    mov x1, #UART_BASE
    mov w2, #'\n'
    str w2, [x1]
    ret

s_banner:  .asciz "mmu-bare: N1="
s_n2:      .asciz " N2="
s_el1:     .asciz "el1: stage 1 and stage 2 on\n"
s_phase1:  .asciz "phase 1 (TLB hits) done: checksum="
s_phase2:  .asciz "phase 2 (page stride) done: checksum="
s_end:     .asciz "END\n"
s_el2_exc: .asciz "unexpected EL2 exception: vector="
s_el1_exc: .asciz "unexpected EL1 exception: vector="
s_esr:     .asciz " esr="
s_elr:     .asciz " elr="
s_far:     .asciz " far="
.balign 8
exit_block_ok:   .quad 0x20026, 0
exit_block_fail: .quad 0x20026, 1

// ---- vector tables: 16 entries of 0x80 bytes (arm.md §3.6) ----
.macro vec_entry handler, offset
.balign 0x80
    mov x0, #\offset
    b \handler
.endm

.balign 2048
el2_vectors:
    vec_entry el2_unexpected, 0x000     // current EL with SP_EL0
    vec_entry el2_unexpected, 0x080
    vec_entry el2_unexpected, 0x100
    vec_entry el2_unexpected, 0x180
    vec_entry el2_unexpected, 0x200     // current EL with SP_ELx
    vec_entry el2_unexpected, 0x280
    vec_entry el2_unexpected, 0x300
    vec_entry el2_unexpected, 0x380
.balign 0x80
    b el2_lower_sync                    // 0x400: lower EL, AArch64, synchronous
    vec_entry el2_unexpected, 0x480
    vec_entry el2_unexpected, 0x500
    vec_entry el2_unexpected, 0x580
    vec_entry el2_unexpected, 0x600     // lower EL, AArch32
    vec_entry el2_unexpected, 0x680
    vec_entry el2_unexpected, 0x700
    vec_entry el2_unexpected, 0x780

.macro el1_vec offset
.balign 0x80
    mov x0, #\offset
    hvc #HVC_EL1_VECTOR
.endm

.balign 2048
el1_vectors:
    el1_vec 0x000
    el1_vec 0x080
    el1_vec 0x100
    el1_vec 0x180
    el1_vec 0x200
    el1_vec 0x280
    el1_vec 0x300
    el1_vec 0x380
    el1_vec 0x400
    el1_vec 0x480
    el1_vec 0x500
    el1_vec 0x580
    el1_vec 0x600
    el1_vec 0x680
    el1_vec 0x700
    el1_vec 0x780

.data
.balign 4096
hot: .skip 2 * 4096                     // phase 1's two pages

.bss
.balign 4096
s2_tables: .skip TABLE_BYTES
s1_tables: .skip TABLE_BYTES
.balign 16
el2_stack: .skip 4096
el2_stack_top:
