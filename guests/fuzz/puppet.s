// puppet: the fuzzer's VM. It does what the fuzzer (playing a malicious KServ) tells it, one
// command at a time, through a mailbox device the fuzzer emulates: each command starts with a
// 64-bit MMIO read at MBOX (an exit to the host), which returns
//   bits 7:0   op            bits 15:8  count (0 means 1)
//   bit 16     a is inline: bits 23:17 index into ipas below; otherwise a is the next MBOX read
//   bit 24     b is inline: bits 31:25 index into sizes below; otherwise b is the next MBOX read
//   op   action                                         a              b
//   0    NOOP hypercall (hvc, w0 = 0x4b000000)          -              -
//   1    KVM_SET_DESC_PFN (grant) `count` times         IPA            size
//   2    KVM_UNSET_DESC_PFN (revoke) `count` times      IPA            size
//   3    store the secret x19 at IPA a                  IPA            -
//   4    load from IPA a                                IPA            -
//   5    PSCI SYSTEM_OFF                                -              -
//   6    hvc with x0 = a, x1 = b (any PSCI call/pvop)   x0             x1
// It keeps secrets in x19-x28 for the whole run: an exit that exposes them to KServ is caught
// by the checks. The MMU is off (IPA = VA, every access Device-nGnRnE: the fuzzer only names
// 8-byte-aligned addresses). A synchronous exception (an abort the host injected) skips the
// instruction.
.equ MBOX, 0x0b000000

.text
.global _start
_start:
    adr x9, vectors
    msr vbar_el1, x9
    isb
    ldr x19, =0x5ec2e7a15ec2e719
    ldr x20, =0x5ec2e7a15ec2e720
    ldr x21, =0x5ec2e7a15ec2e721
    ldr x22, =0x5ec2e7a15ec2e722
    ldr x23, =0x5ec2e7a15ec2e723
    ldr x24, =0x5ec2e7a15ec2e724
    ldr x25, =0x5ec2e7a15ec2e725
    ldr x26, =0x5ec2e7a15ec2e726
    ldr x27, =0x5ec2e7a15ec2e727
    ldr x28, =0x5ec2e7a15ec2e728
next:
    mov x9, #MBOX
    ldr x10, [x9]             // op word
    tbz x10, #16, 3f
    ubfx x11, x10, #17, #7    // a inline: ipas[index]
    adr x16, ipas
    ldr x11, [x16, x11, lsl #3]
    b 4f
3:  ldr x11, [x9, #8]         // a
4:  tbz x10, #24, 5f
    ubfx x12, x10, #25, #7    // b inline: sizes[index]
    adr x16, sizes
    ldr x12, [x16, x12, lsl #3]
    b 6f
5:  ldr x12, [x9, #16]        // b
6:  and x13, x10, #0xff
    ubfx x14, x10, #8, #8
    cbnz x14, 1f
    mov x14, #1
1:  cmp x13, #0
    b.eq op_noop
    cmp x13, #1
    b.eq op_grant
    cmp x13, #2
    b.eq op_revoke
    cmp x13, #3
    b.eq op_store
    cmp x13, #4
    b.eq op_load
    cmp x13, #5
    b.eq op_off
    cmp x13, #6
    b.eq op_hvc
    b next

op_noop:
    movz w0, #0x4b00, lsl #16
    hvc #0
    b next
op_grant:
    movz x0, #0x8, lsl #16
    add x0, x0, #0x1000       // 0x81000 KVM_SET_DESC_PFN
    b pvop
op_revoke:
    movz x0, #0x8, lsl #16
    add x0, x0, #0x2000       // 0x82000 KVM_UNSET_DESC_PFN
pvop:
    mov x15, x0
2:  mov x0, x15
    mov x1, x11
    mov x2, x12
    hvc #0
    subs x14, x14, #1
    b.ne 2b
    b next
op_store:
    str x19, [x11]
    b next
op_load:
    ldr x15, [x11]
    b next
op_off:
    movz w0, #0x8400, lsl #16
    add w0, w0, #8            // 0x84000008 SYSTEM_OFF
    hvc #0
    b op_off
op_hvc:
    mov x0, x11
    mov x1, x12
    hvc #0
    b next

// The IPAs and sizes a command can name inline (src/fuzz/ipas.ts holds the same lists; a test
// checks they agree).
.balign 8
ipas:
    .quad 0x40080000, 0x40100000, 0x401ff000, 0x40000000, 0x40400000, 0x40401000, 0x40fff000, 0x44000000
sizes:
    .quad 0x1000, 0x2000, 0x0, 0x10000, 0x200000

// Vectors: any synchronous exception at EL1 (an injected abort or UNDEF) skips the instruction;
// interrupts are masked (DAIF stays set from reset), so only the sync vectors matter.
.balign 2048
vectors:
    .rept 16
    mrs x9, elr_el1
    add x9, x9, #4
    msr elr_el1, x9
    eret
    .balign 128
    .endr
.ltorg
