// qemu-imprecise: /^  WFE with the event register clear: (not trapped|trapped, esr=0x7e00001 elr=T\+0x[0-9a-f]+)$/ QEMU 7.2 never traps WFE
//
// trap-wfx: WFI/WFE trapped to EL2 (arm.md §4: HCR_EL2.TWI bit 13, TWE bit 14; §3.2: EC 0x01,
// ISS CV = 1 and COND = 0b1110 for an exception from AArch64, TI = 00 WFI / 01 WFE). The
// preferred return address is the WFx itself (ELR = the instruction; EL2 steps over it).
// TWI/TWE trap a WFx only "if the instruction would otherwise have caused the PE to enter a
// low-power state" (Arm ARM, HCR_EL2.TWI/TWE): a WFE finds the event register set after SEVL
// (and after any exception return, which also sets it), completes at once and is NOT trapped.
// Hence: SEVL; WFE (must not trap); WFE (the event register is now clear: traps with TWE = 1).
// QEMU 7.2 never traps WFE (helper_wfe yields instead of modelling the low-power state, so its
// trap condition never holds); the rule above accepts that and the architectural trap.
// An EL2 hook records WFx traps (and steps over them) so each case prints one line either way.
// WFI with TWI = 0 is not run: with nothing to wake it, it would wait forever.
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mrs x0, tpidr_el2
    adr x1, hook
    str x1, [x0, #PC_HOOK]
    bl say
    .asciz "TWI=1 TWE=1\n"
    .balign 4
    ldr x0, =(HCR_GUEST | HCR_TWI | HCR_TWE)
    msr hcr_el2, x0
    adr x0, g_wfi
    bl run
    bl say
    .asciz "  WFI"
    .balign 4
    bl show
    adr x0, g_sevl_wfe
    bl run
    bl say
    .asciz "  SEVL; WFE"
    .balign 4
    bl show
    adr x0, g_sevl_wfe_wfe
    bl run
    bl say
    .asciz "  WFE with the event register clear"
    .balign 4
    bl show
    ldp x29, x30, [sp], #16
    ret

run:                                    // (x0 = guest routine) with the trap record cleared
    stp x29, x30, [sp, #-16]!
    adrp x1, trapped
    add x1, x1, :lo12:trapped
    stp xzr, xzr, [x1]
    bl guest_call
    ldp x29, x30, [sp], #16
    ret

show:                                   // ": not trapped" or ": trapped, esr=… elr=…"
    stp x29, x30, [sp, #-16]!
    adrp x1, trapped
    add x1, x1, :lo12:trapped
    ldp x0, x2, [x1]
    cbnz x0, 1f
    bl say
    .asciz ": not trapped\n"
    .balign 4
    b 2f
1:  bl sayh
    .asciz ": trapped, esr="
    .balign 4
    mov x0, x2
    bl sayrel
    .asciz " elr="
    .balign 4
2:  ldp x29, x30, [sp], #16
    ret

// hook(frame, percpu): a WFx trap (EC 0x01) is recorded and stepped over silently.
hook:
    ldr x2, [x1, #PC_ESR]
    lsr x3, x2, #26
    cmp x3, #0x01
    b.ne 3f
    ldr x4, [x1, #PC_ELR]
    adrp x5, trapped
    add x5, x5, :lo12:trapped
    stp x2, x4, [x5]
    add x4, x4, #4
    str x4, [x1, #PC_ELR]
    mov x0, #1
    ret
3:  mov x0, #0
    ret

g_wfi:
    wfi
    hvc #HVC_EXIT
g_sevl_wfe:
    sevl
    wfe
    hvc #HVC_EXIT
g_sevl_wfe_wfe:
    sevl
    wfe
    wfe
    hvc #HVC_EXIT

.data
.balign 16
trapped: .quad 0, 0                     // ESR, ELR of the last WFx trap
