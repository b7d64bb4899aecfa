// bench-mmio-user: the "I/O User" micro-benchmark (kvm-unit-tests `mmio_read_user`;
// sekvm.md §7.2): ITERS 32-bit reads of the virtio-mmio DeviceID register at 0x0A00_0008.
// Each read is a stage-2 abort that the hypervisor forwards to the device model in the host's
// user space ("QEMU") and back.
//
// Output:
//   RESULT mmio_read_user iters=65536 cycles=… per_op=… …
.equ ITERS, 65536
.equ WARMUP, 16

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
    stp x21, x22, [sp, #-16]!
    bl pmu_init
    mov x20, #VIRTIO_BASE
    LOOP_BEGIN WARMUP
    ldr w0, [x20, #VIRTIO_DEVICE_ID]
    LOOP_END
    TIME_START
    LOOP_BEGIN ITERS
    ldr w0, [x20, #VIRTIO_DEVICE_ID]
    LOOP_END
    TIME_STOP "mmio_read_user", ITERS
    ldp x21, x22, [sp], #16
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret
