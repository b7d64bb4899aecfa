// bench-mmio-vgic: the "I/O Kernel" micro-benchmark (kvm-unit-tests `mmio_read_vgic`;
// sekvm.md §7.2): ITERS 32-bit reads of GICD_IIDR at 0x0800_0008. Each read is a stage-2
// abort emulated by the in-kernel virtual GIC distributor, without going to user space.
//
// Output:
//   RESULT mmio_read_vgic iters=65536 cycles=… per_op=… …
.equ ITERS, 65536
.equ WARMUP, 16

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    bl pmu_init
    mov x20, #GICD_BASE
    LOOP_BEGIN WARMUP
    ldr w0, [x20, #GICD_IIDR]
    LOOP_END
    TIME_START
    LOOP_BEGIN ITERS
    ldr w0, [x20, #GICD_IIDR]
    LOOP_END
    TIME_STOP "mmio_read_vgic", ITERS
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret
