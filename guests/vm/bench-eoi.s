// bench-eoi: kvm-unit-tests `eoi` (sekvm.md §7.2): ITERS writes of the spurious INTID 1023 to
// ICC_EOIR1_EL1. With a GICv3 virtual CPU interface (ICH_* list registers) this does not
// exit, so it measures the guest's own cost; a hypervisor that traps ICC_* accesses shows it.
//
// Output:
//   RESULT eoi iters=65536 cycles=… per_op=… …
.equ ITERS, 65536
.equ WARMUP, 16

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    bl gic_dist_init
    bl gic_cpu_init
    bl pmu_init
    mov x20, #INTID_SPURIOUS
    LOOP_BEGIN WARMUP
    msr icc_eoir1_el1, x20
    LOOP_END
    TIME_START
    LOOP_BEGIN ITERS
    msr icc_eoir1_el1, x20
    LOOP_END
    isb
    TIME_STOP "eoi", ITERS
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret
