// trap-wfx: WFI/WFE trapped to EL2 (arm.md §4: HCR_EL2.TWI bit 13, TWE bit 14; §3.2: EC 0x01,
// ISS CV = 1 and COND = 0b1110 for an exception from AArch64, TI = 00 WFI / 01 WFE). The
// preferred return address is the WFx itself (ELR = the instruction; EL2 steps over it).
// The Arm ARM (HCR_EL2.TWI/TWE) traps a WFx only "if the instruction would otherwise have
// caused the PE to enter a low-power state", and notes that since a WFE or WFI can complete at
// any time, even without a wake-up event, the trap is not guaranteed; it is guaranteed only if
// the instruction would otherwise not complete in finite time. So:
//   - WFI with nothing pending: a Cortex-A57 enters the low-power state, so TWI traps it (QEMU
//     and this simulator both trap; a hypervisor relies on it) -- printed strictly;
//   - SEVL; WFE: the event register is set, the WFE completes at once and is NOT trapped;
//   - a second WFE (event register now clear): may trap or may complete, so it is a "~" line
//     whose value is the trap's ESR or 0 (QEMU 7.2 never traps WFE: helper_wfe only yields).
// An EL2 hook records WFx traps (and steps over them) so each case prints one line.
// WFI with TWI = 0 is not run: with nothing to wake it, it could wait forever.
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
    adrp x1, trapped
    add x1, x1, :lo12:trapped
    ldr x0, [x1]
    mov x1, #0
    ldr x2, =0x7e00001
    bl maybe
    .asciz "  WFE with the event register clear: trap ESR"
    .balign 4
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
