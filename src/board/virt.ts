/**
 * QEMU's `virt` board memory map (hw/arm/virt.c `base_memmap`), the board the bare-metal runner
 * and the hypervisor's guests use, so images built for `qemu-system-aarch64 -M virt` run unchanged.
 */
export const VIRT = {
  /** GICv3 distributor. */
  GICD: 0x0800_0000n,
  GICD_SIZE: 0x1_0000n,
  /** GICv2 CPU interface (GICC) window; unused with GICv3 but reserved in the map. */
  GICC: 0x0801_0000n,
  /** GICv3 redistributors: 128 KiB (two 64 KiB frames) per CPU. */
  GICR: 0x080a_0000n,
  GICR_STRIDE: 0x2_0000n,
  /** PL011 UART. */
  UART: 0x0900_0000n,
  UART_SIZE: 0x1000n,
  /** virtio-mmio transports: 32 slots of 512 bytes. */
  VIRTIO: 0x0a00_0000n,
  VIRTIO_SLOT: 0x200n,
  VIRTIO_COUNT: 32,
  /** RAM. */
  RAM: 0x4000_0000n,
} as const;

/** Default RAM size (MiB), as `-m 512M`. */
export const DEFAULT_RAM_MIB = 512;
/** Where QEMU's -kernel puts a raw image (RAM + 0x80000); ELFs load at their own addresses. */
export const KERNEL_LOAD = VIRT.RAM + 0x8_0000n;
