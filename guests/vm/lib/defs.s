// VM guest library, part 1: constants of the virtual platform (guests/vm/README.md).
//
// src/guests/build.ts assembles the library files in this order, then the guest:
//   defs.s boot.s print.s vectors.s mmu.s gic.s timer.s psci.s pvops.s virtio.s pmu.s
// as ONE source (the assembler has no .include), so every symbol defined here is visible
// everywhere. boot.s comes first so that _start is the first instruction, at LINK_BASE. Register layouts come from ../shared/spec/arm.md (section numbers below).

// ---- memory map (QEMU `virt`-like) ----
.equ RAM_BASE,        0x40000000        // guest RAM, 64 MiB unless a guest documents more
.equ RAM_SIZE_MIN,    0x04000000
.equ LINK_BASE,       0x40080000        // where the image is linked and loaded; entry _start
.equ DEV_BASE,        0x08000000        // device window, mapped Device-nGnRE by mmu.s
.equ DEV_END,         0x0c000000
.equ UART_BASE,       0x09000000        // PL011
.equ UARTDR,          0x000
.equ UARTFR,          0x018
.equ GICD_BASE,       0x08000000        // GICv3 distributor
.equ GICR_BASE,       0x080a0000        // redistributor of vCPU 0
.equ GICR_STRIDE,     0x20000           // one RD frame + one SGI frame per vCPU
.equ GICR_SGI,        0x10000           // SGI frame offset inside a redistributor
.equ GIC_CPUIF_V2,    0x08010000        // GICv2 CPU interface slot (unused with GICv3)
.equ VIRTIO_BASE,     0x0a000000        // virtio-mmio-like slots
.equ VIRTIO_STRIDE,   0x200

// ---- vCPUs ----
.equ MAX_CPUS,        8                 // vCPU index = MPIDR_EL1.Aff0 < MAX_CPUS
.equ STACK_SIZE,      16384             // per vCPU

// ---- exception frame built by vectors.s: x0..x30 at 8*n, ELR, SPSR ----
.equ FRAME_X30,       240
.equ FRAME_ELR,       248
.equ FRAME_SPSR,      256
.equ FRAME_SIZE,      272

// ---- interrupts (arm.md §6) ----
.equ INTID_SPURIOUS,  1023
.equ INTID_VTIMER,    27                // virtual timer PPI

// ---- PSCI over HVC (arm.md §7); results in x0 ----
.equ PSCI_VERSION,        0x84000000
.equ PSCI_CPU_OFF,        0x84000002
.equ PSCI_CPU_ON,         0xc4000003
.equ PSCI_AFFINITY_INFO,  0xc4000004
.equ PSCI_SYSTEM_OFF,     0x84000008
.equ PSCI_SUCCESS,        0
.equ PSCI_NOT_SUPPORTED,  -1
.equ AFFINITY_ON,         0
.equ AFFINITY_OFF,        1

// ---- SeKVM VM pvops (sekvm.md §2.4) and the kvm-unit-tests NOOP hypercall ----
.equ KVM_SET_DESC_PFN,    0x81000
.equ KVM_UNSET_DESC_PFN,  0x82000
.equ HVC_NOOP,            0x4b000000

// ---- system register values ----
.equ SCTLR_EL1_RES1,  0x30d00800        // v8.0 RES1 bits 29,28,23,22,20,11
.equ SCTLR_M,         (1 << 0)
.equ SCTLR_C,         (1 << 2)
.equ SCTLR_SA,        (1 << 3)
.equ SCTLR_I,         (1 << 12)
.equ SCTLR_ON,        (SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I)
// TCR_EL1 (arm.md §2): T0SZ=25 (39-bit VA, walks start at level 1), IRGN0/ORGN0 WBWA,
// SH0 inner, TG0 4 KB, EPD1 (no TTBR1 walks), IPS 40-bit
.equ TCR_EL1_STD,     (25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
// MAIR_EL1: index 0 Normal write-back RW-allocate, index 1 Device-nGnRE
.equ MAIR_STD,        0x04ff
.equ ATTR_NORMAL,     0
.equ ATTR_DEVICE,     1

// stage-1 descriptors (arm.md §2): AttrIndx[4:2], SH[9:8], AF bit 10, PXN 53, UXN 54
.equ PTE_TABLE,       0x3
.equ PTE_BLOCK,       0x1
.equ PTE_AF,          (1 << 10)
.equ PTE_SH_INNER,    (3 << 8)
.equ PTE_PXN,         (1 << 53)
.equ PTE_UXN,         (1 << 54)
.equ PTE_NORMAL,      (PTE_BLOCK | (ATTR_NORMAL << 2) | PTE_SH_INNER | PTE_AF)
.equ PTE_DEVICE,      (PTE_BLOCK | (ATTR_DEVICE << 2) | PTE_AF | PTE_PXN | PTE_UXN)

// ESR_EL1 exception classes used by the handlers
.equ EC_DABT_CUR,     0x25
.equ EC_IABT_CUR,     0x21
