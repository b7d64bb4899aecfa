// bench-hvc: the "Hypercall" micro-benchmark (kvm-unit-tests arm/micro-bench `hvc`;
// sekvm.md §7.2): ITERS times `mov w0, #0x4b000000; hvc #0`, the NOOP hypercall. On SeKVM it
// is not a pvop, so every iteration goes VM -> KCore -> KServ (which returns at once) -> VM;
// on KVM, VM -> host -> VM.
//
// Output:
//   RESULT hvc iters=65536 cycles=… per_op=… cntvct=… cntvct_per_op=… ns_per_op=…
.equ ITERS, 65536
.equ WARMUP, 16

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    bl pmu_init
    LOOP_BEGIN WARMUP
    mov w0, #HVC_NOOP
    hvc #0
    LOOP_END
    TIME_START
    LOOP_BEGIN ITERS
    mov w0, #HVC_NOOP
    hvc #0
    LOOP_END
    TIME_STOP "hvc", ITERS
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret
