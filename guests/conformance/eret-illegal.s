// eret-illegal: illegal exception returns (arm.md §3.7). ERET from EL2 with an SPSR that names
//   (a) EL3 (M = 0b1101): a higher EL than the current one;
//   (b) AArch32 EL1 (M[4] = 1, Supervisor mode) while HCR_EL2.RW = 1 says EL1 is AArch64;
//   (c) EL0 with M[0] = 1 (EL0 has no SP_ELx);
//   (d) EL1h while HCR_EL2.TGE = 1 (EL1 is not in use then);
//   (e) M[1] = 1 (a reserved AArch64 mode, here 0b0110);
// is illegal: the PE stays at EL2 with PSTATE.IL = 1 and NZCV/DAIF from the SPSR, jumps to ELR,
// and that first instruction takes an Illegal Execution state exception (EC 0x0E, ISS 0) to
// EL2 with ELR = that instruction and SPSR.IL = 1. Each SPSR carries NZCV = 0110 and DAIF =
// 1111, so the SPSR of the exception shows them restored, IL (bit 20) set and M = EL2h.
main:
    stp x29, x30, [sp, #-16]!
    ldr x0, =(0x60000000 | SPSR_DAIF | 0xd)
    bl try
    ldr x0, =(0x60000000 | SPSR_DAIF | 0x13)
    bl try
    ldr x0, =(0x60000000 | SPSR_DAIF | 0x1)
    bl try
    ldr x0, =(HCR_RW | HCR_TGE)
    msr hcr_el2, x0
    ldr x0, =(0x60000000 | SPSR_DAIF | SPSR_EL1H)
    bl try
    ldr x0, =HCR_RW
    msr hcr_el2, x0
    ldr x0, =(0x60000000 | SPSR_DAIF | 0x6)
    bl try
    ldp x29, x30, [sp], #16
    ret

// try(x0 = SPSR): ERET to `target` with that SPSR; the exception resumes at `back`.
try:
    stp x29, x30, [sp, #-16]!
    bl sayx
    .asciz "ERET with SPSR_EL2="
    .balign 4
    msr spsr_el2, x0
    adr x0, target
    msr elr_el2, x0
    adr x0, back
    bl set_recover
    mov x0, #0x1111
    eret
target:
    mov x0, #0x2222                     // must not run
    b back
back:
    bl sayx
    .asciz "  x0 (0x1111 if the target's first instruction did not run): "
    .balign 4
    mrs x1, tpidr_el2
    ldr x0, [x1, #PC_SPSR]
    bl sayx
    .asciz "  SPSR_EL2 of the exception: "
    .balign 4
    mrs x0, currentel
    bl sayx
    .asciz "  CurrentEL after it: "
    .balign 4
    ldp x29, x30, [sp], #16
    ret
