// hello: the smallest VM guest. Demonstrates the boot path every guest shares (EL1h entry,
// per-vCPU stack, vector table, the guest's own stage-1 identity map with the MMU on), the
// PL011 UART and PSCI over HVC (PSCI_VERSION, SYSTEM_OFF). Needs no GIC and no timer, so it
// is the first guest to bring up on a new hypervisor.
//
// Output (one vCPU):
//   hello from VM: vCPU 0 (MPIDR.Aff0 = 0)
//   hello: EL1, MMU on, caches on
//   hello: PSCI version >= 0.2: yes
//   hello: RAM at 0x40000000 is writable: yes
//   hello: goodbye
.text
main:
    stp x29, x30, [sp, #-16]!
    bl this_cpu
    mov x19, x0
    mrs x20, mpidr_el1
    and x20, x20, #0xff
    bl uart_lock
    PUTS "hello from VM: vCPU "
    PUTDEC x19
    PUTS " (MPIDR.Aff0 = "
    PUTDEC x20
    PUTS ")\n"
    bl uart_unlock

    mrs x0, currentel
    lsr x0, x0, #2
    mrs x1, sctlr_el1
    cmp x0, #1
    b.ne 1f
    tbz x1, #0, 1f                      // M
    tbz x1, #2, 1f                      // C
    tbz x1, #12, 1f                     // I
    SAY "hello: EL1, MMU on, caches on"
    b 2f
1:  SAY "hello: unexpected CurrentEL or SCTLR_EL1"

2:  bl psci_version
    lsr x0, x0, #16                     // major; 0.2 is the first version with these IDs
    cbz x0, 3f
    SAY "hello: PSCI version >= 0.2: yes"
    b 4f
3:  SAY "hello: PSCI version >= 0.2: no"

4:  adrp x0, scratch
    add x0, x0, :lo12:scratch
    ldr x1, =0x0123456789abcdef
    str x1, [x0]
    dc civac, x0                        // through to memory and back
    dsb sy
    ldr x2, [x0]
    cmp x1, x2
    b.ne 5f
    SAY "hello: RAM at 0x40000000 is writable: yes"
    b 6f
5:  SAY "hello: RAM at 0x40000000 is writable: no"

6:  SAY "hello: goodbye"
    ldp x29, x30, [sp], #16
    ret

.bss
.balign 64
scratch: .skip 64
