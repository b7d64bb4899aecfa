// Conformance library, part 1: constants shared by the library and the test programs.
//
// The harness (test/conformance/programs.ts) assembles lib/defs.s, lib/boot.s, lib/print.s,
// lib/vectors.s, lib/mmu.s, lib/gic.s, lib/psci.s, lib/guest.s and then the test program as ONE source
// (the assembler has no .include), so every symbol here is visible to every test. It puts the
// label `test_start` in .text just before the test's own code: transcripts print code
// addresses as T+offset from it, so they do not move when the library changes.
//
// Register values come from ../shared/spec/arm.md (section numbers in the comments).

// ---- the QEMU virt board (src/board/virt.ts) ----
.equ UART_BASE,       0x09000000        // PL011 data register
.equ GICD_BASE,       0x08000000        // GICv3 distributor
.equ GICR_BASE,       0x080a0000        // redistributor of CPU 0; 0x20000 per CPU
.equ GICR_STRIDE,     0x20000
.equ GICR_SGI,        0x10000           // SGI/PPI frame within a redistributor
.equ RAM_BASE,        0x40000000
.equ MAX_CPUS,        4

// ---- per-CPU data (TPIDR_EL2 and, inside guests, TPIDR_EL1 point to it) ----
.equ PC_CPU,          0                 // CPU index (MPIDR_EL1.Aff0)
.equ PC_RECOVER,      8                 // EL2 sync: one-shot resume address (0 = skip/return,
                                        // RECOVER_EXIT = end the guest)
.equ PC_HOOK,         16                // EL2 sync: hook(frame, percpu) -> x0 != 0 if handled
.equ PC_FLAGS,        24                // bit 0: EL2 sync reports are not printed
.equ PC_ESR,          32                // last exception taken to EL2: ESR/FAR/HPFAR/ELR/SPSR
.equ PC_FAR,          40
.equ PC_HPFAR,        48
.equ PC_ELR,          56                // written back to ELR_EL2 before the ERET
.equ PC_SPSR,         64                // written back to SPSR_EL2 before the ERET
.equ PC_COUNT,        72                // EL2 sync exceptions taken (guest exits excluded)
.equ MAX_EXCEPTIONS,  500               // more than this on one CPU: a runaway program (FAIL)
.equ PC_IRQHOOK,      80                // EL2 IRQ/FIQ hook(frame, percpu, is_fiq)
.equ PC_HOSTCTX,      88                // enter_el1 saves sp, daif, x19..x30 here (14 words)
.equ PC_EL1_RECOVER,  208               // the same for exceptions taken to EL1
.equ PC_EL1_HOOK,     216
.equ PC_EL1_FLAGS,    224
.equ PC_EL1_ESR,      232
.equ PC_EL1_FAR,      240
.equ PC_EL1_ELR,      248
.equ PC_EL1_SPSR,     256
.equ PC_EL1_COUNT,    264
.equ PC_EL1_IRQHOOK,  272
.equ PC_EL1_CTX,      280               // enter_el0 saves sp, daif, x19..x30 here (14 words)
.equ PC_USER,         400               // free for the test program (8 words)
.equ PERCPU_SIZE,     512

// ---- exception frame pushed by the vectors: x0..x30 at 8*n ----
.equ FRAME_SIZE,      272               // + ELR at 248, SPSR at 256 (IRQ handlers)

// ---- exits from a guest back to its caller ----
.equ HVC_EXIT,        0xe1e2            // EL1 `hvc #HVC_EXIT`: enter_el1 returns x0
.equ SVC_EXIT,        0xe0e0            // EL0 `svc #SVC_EXIT`: enter_el0 returns x0
.equ RECOVER_EXIT,    1                 // set_recover(RECOVER_EXIT): the next exception ends the guest

// ---- system register values ----
.equ HCR_VM,          (1 << 0)          // arm.md §4
.equ HCR_SWIO,        (1 << 1)
.equ HCR_PTW,         (1 << 2)
.equ HCR_FMO,         (1 << 3)
.equ HCR_IMO,         (1 << 4)
.equ HCR_AMO,         (1 << 5)
.equ HCR_VF,          (1 << 6)
.equ HCR_VI,          (1 << 7)
.equ HCR_DC,          (1 << 12)
.equ HCR_TWI,         (1 << 13)
.equ HCR_TWE,         (1 << 14)
.equ HCR_TID3,        (1 << 18)
.equ HCR_TSC,         (1 << 19)
.equ HCR_TACR,        (1 << 21)
.equ HCR_TSW,         (1 << 22)
.equ HCR_TPC,         (1 << 23)
.equ HCR_TPU,         (1 << 24)
.equ HCR_TTLB,        (1 << 25)
.equ HCR_TVM,         (1 << 26)
.equ HCR_TGE,         (1 << 27)
.equ HCR_TRVM,        (1 << 30)
.equ HCR_RW,          (1 << 31)
.equ HCR_GUEST,       (HCR_RW | HCR_VM)

.equ SCTLR_EL2_RES1,  0x30c50830        // MMU, caches, alignment checks off; little-endian
.equ SCTLR_EL1_RES1,  0x30d00800        // v8.0 RES1 bits 29,28,23,22,20,11
.equ SCTLR_EL1_BASE,  (SCTLR_EL1_RES1 | (1 << 16) | (1 << 18))   // + nTWI, nTWE: WFx not trapped to EL1
.equ SCTLR_M,         (1 << 0)
.equ SCTLR_WXN,       (1 << 19)

// SPSR values (arm.md §3.3): mode + DAIF
.equ SPSR_EL0T,       0x000
.equ SPSR_EL1T,       0x004
.equ SPSR_EL1H,       0x005
.equ SPSR_EL2H,       0x009
.equ SPSR_DAIF,       0x3c0
.equ SPSR_EL1H_MASKED, (SPSR_EL1H | SPSR_DAIF)

// VTCR_EL2 (arm.md §1.1): T0SZ | SL0 << 6 | TG0 4K | PS << 16 | RES1 bit 31
.equ VTCR_RES1,       (1 << 31)
.equ VTCR_SL0_L2,     (0 << 6)
.equ VTCR_SL0_L1,     (1 << 6)
.equ VTCR_SL0_L0,     (2 << 6)
.equ VTCR_PS_40,      (2 << 16)
.equ VTCR_STD,        (VTCR_RES1 | VTCR_PS_40 | VTCR_SL0_L1 | 24)   // 40-bit IPA, level-1 start, 2 concatenated tables

// TCR_EL1 (arm.md §2): T0SZ | IRGN0/ORGN0 WBWA | SH0 inner | TG0 4K | EPD1 | IPS 40-bit
.equ TCR_EL1_BASE,    ((1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
.equ TCR_AS,          (1 << 36)
// MAIR_EL1: index 0 Normal WB, index 1 Device-nGnRE
.equ MAIR_STD,        0x04ff

// ---- descriptors (arm.md §1.5, §2) ----
.equ DESC_TABLE,      0x3
.equ DESC_BLOCK,      0x1
.equ DESC_PAGE,       0x3
.equ AF,              (1 << 10)
// stage 2: MemAttr[5:2], S2AP[7:6] (bit 6 read, bit 7 write), SH[9:8], AF, XN bit 54
.equ S2_NORMAL,       (0xf << 2)
.equ S2_DEVICE,       (0x1 << 2)
.equ S2_R,            (1 << 6)
.equ S2_W,            (1 << 7)
.equ S2_RW,           (S2_R | S2_W)
.equ S2_SH,           (3 << 8)
.equ S2_XN,           (1 << 54)
.equ S2_RAM,          (S2_NORMAL | S2_RW | S2_SH | AF)          // 0x7fc
.equ S2_DEV,          (S2_DEVICE | S2_RW | AF)                  // 0x4c4
// stage 1: AttrIndx[4:2], AP[7:6] (bit 6 EL0 access, bit 7 read-only), SH, AF, nG, PXN 53, UXN 54
.equ S1_NORMAL,       (0 << 2)
.equ S1_DEVICE,       (1 << 2)
.equ S1_AP_EL0,       (1 << 6)
.equ S1_AP_RO,        (1 << 7)
.equ S1_SH,           (3 << 8)
.equ S1_NG,           (1 << 11)
.equ S1_PXN,          (1 << 53)
.equ S1_UXN,          (1 << 54)
.equ S1_RAM,          (S1_NORMAL | S1_SH | AF)                  // EL1 RW, EL0 none, executable
.equ S1_DEV,          (S1_DEVICE | S1_AP_EL0 | AF | S1_PXN | S1_UXN)
.equ OA_MASK,         0x0000fffffffff000

// ---- PSCI (arm.md §7) ----
.equ PSCI_VERSION,    0x84000000
.equ PSCI_CPU_OFF,    0x84000002
.equ PSCI_CPU_ON,     0xc4000003
.equ PSCI_AFFINITY_INFO, 0xc4000004
.equ PSCI_SYSTEM_OFF, 0x84000008
.equ PSCI_FEATURES,   0x8400000a
