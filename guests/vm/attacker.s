// attacker: a malicious VM. It tries to reach memory that is not its own RAM and to abuse the
// hypervisor's interfaces, and must survive every attempt: a synchronous-exception hook records
// each fault (ESR/FAR) and skips the faulting instruction (ELR += 4); SErrors are unmasked and
// recorded too. One line per attempt says what happened, so a test can check that the VM never
// sees anyone else's data: every first read of an address that was not already its own data
// must give 0 or fault (memory handed to a VM is fresh or zeroed).
//   1. its own RAM, never touched before (0x4300_0000): reads 0, then holds what it writes
//   2. the RAM window past its 64 MiB (0x4400_0000, 0x5000_0000, 0x7FFF_F000), where a naive
//      hypervisor would have other VMs' memory
//   3. IPAs past the RAM window (0x8000_0000, 0xFFFF_F000, 0x1_0000_0000), where a naive
//      design would put the hypervisor's own memory (stage 1 maps them Device)
//   4. device windows: the GICv2 CPU-interface slot 0x0801_0000 (SeKVM treats it specially),
//      empty virtio slots 2 and 31
//   5. KVM_SET_DESC_PFN / KVM_UNSET_DESC_PFN on pages it never touched, outside RAM, on
//      devices, with a wrapping range, an empty range, an unaligned one, and unsets that
//      were never granted (share-count underflow); afterwards the never-touched page still
//      reads 0 and its own page still holds its data
//   6. the block device as a confused deputy: a read request whose buffer is outside RAM
//      (status 2 in both modes: no host mapping exists), and a request block outside RAM
// Needs our hypervisor with its default 64 MiB of RAM (not run under QEMU). Lines starting
// "[mode-dependent]" (pvops results) differ between KVM and SeKVM; all others must not.
// The last line: "attacker: done: faults F, serrors S, non-zero fresh reads 0". With
// CATCH_FAULTS = 0 (a define) no hooks are installed, so the first fault (0x4400_0000) ends the
// VM through the library's "unexpected exception" report: a test of that path.
.equ CATCH_FAULTS,  1                   // 0: no hooks (see above)
.equ OWN_FRESH,     0x43000000          // own RAM, first touched here
.equ NEVER_TOUCHED, 0x43800000          // own RAM, only ever granted/revoked, then read
.equ PATTERN,       0xa77ac4e5a77ac4e5

.text
main:
    stp x29, x30, [sp, #-16]!
    stp x19, x20, [sp, #-16]!
.if CATCH_FAULTS
    adr x0, attack_sync
    bl set_sync_hook
    adr x0, attack_serror
    bl set_serror_hook
    msr daifclr, #4                     // take SErrors
.endif
    mov x0, #0x80000000
    ldr x1, =PTE_DEVICE
    bl mmu_map_1g
    mov x0, #0xc0000000
    ldr x1, =PTE_DEVICE
    bl mmu_map_1g
    mov x0, #0x100000000
    ldr x1, =PTE_DEVICE
    bl mmu_map_1g
    SAY "attacker: start"

    // 1-3: RAM-like addresses.
    ldr x0, =OWN_FRESH
    bl ram_probe
    ldr x0, =0x44000000
    bl ram_probe
    ldr x0, =0x50000000
    bl ram_probe
    ldr x0, =0x7ffff000
    bl ram_probe
    ldr x0, =0x80000000
    bl ram_probe
    ldr x0, =0xfffff000
    bl ram_probe
    ldr x0, =0x100000000
    bl ram_probe

    // 4: device windows.
    ldr x0, =GIC_CPUIF_V2
    bl dev_read
    ldr x0, =GIC_CPUIF_V2
    mov w1, #1
    bl dev_write
    ldr x0, =(VIRTIO_BASE + 2 * VIRTIO_STRIDE + VIRTIO_MAGIC)
    bl dev_read
    ldr x0, =(VIRTIO_BASE + 2 * VIRTIO_STRIDE + VIRTIO_DEVICE_ID)
    bl dev_read
    ldr x0, =(VIRTIO_BASE + 2 * VIRTIO_STRIDE + VIRTIO_QUEUE_NOTIFY)
    mov w1, #0
    bl dev_write
    ldr x0, =(VIRTIO_BASE + 31 * VIRTIO_STRIDE + VIRTIO_DEVICE_ID)
    bl dev_read

    // 5: pvops on what it does not own.
    ldr x0, =NEVER_TOUCHED
    mov x1, #0x1000
    bl pv_set
    ldr x0, =NEVER_TOUCHED
    mov x1, #0x1000
    bl pv_unset
    ldr x0, =0x50000000
    mov x1, #0x1000
    bl pv_set
    ldr x0, =0x80000000
    mov x1, #0x1000
    bl pv_set
    ldr x0, =GICD_BASE
    mov x1, #0x10000
    bl pv_set
    ldr x0, =UART_BASE
    mov x1, #0x1000
    bl pv_set
    mov x0, #-4096                      // [2^64 - 4 KB, + 8 KB) wraps around
    mov x1, #0x2000
    bl pv_set
    ldr x0, =RAM_BASE
    mov x1, #0
    bl pv_set
    ldr x0, =(NEVER_TOUCHED + 0x10001)
    mov x1, #1
    bl pv_set
    ldr x0, =OWN_FRESH                  // never granted: must not underflow a share count
    mov x1, #0x1000
    bl pv_unset
    ldr x0, =OWN_FRESH
    mov x1, #0x1000
    bl pv_unset
    ldr x0, =NEVER_TOUCHED
    bl ram_read_line
    ldr x0, =OWN_FRESH
    bl ram_read_line

    // 6: the block device as a confused deputy.
    mov x0, #0x80000000
    bl deputy_read
    ldr x0, =0x7ffff000
    bl deputy_read
    mov x0, #0
    bl virtio_slot
    mov x1, #0x80000000
    str w1, [x0, #VIRTIO_REQ_LO]
    str wzr, [x0, #VIRTIO_REQ_HI]
    dsb sy
    str wzr, [x0, #VIRTIO_QUEUE_NOTIFY]
    dsb sy
    ldr w1, [x0, #VIRTIO_INT_STATUS]
    tbz w1, #0, 1f
    mov w1, #1
    str w1, [x0, #VIRTIO_INT_ACK]
1:  SAY "attacker: request block at 0x80000000: notified, still running"

    adrp x0, faults
    ldr x19, [x0, :lo12:faults]
    adrp x0, serrors
    ldr x20, [x0, :lo12:serrors]
    adrp x0, nonzero
    ldr x0, [x0, :lo12:nonzero]
    bl uart_lock
    PUTS "attacker: done: faults "
    PUTDEC x19
    PUTS ", serrors "
    PUTDEC x20
    PUTS ", non-zero fresh reads "
    bl putdec
    bl putnl
    bl uart_unlock
    ldp x19, x20, [sp], #16
    ldp x29, x30, [sp], #16
    ret

// ---- probes: each returns x1 = 1 if the access faulted (the hook skipped it) ----

// probe_read64 / probe_read32 (x0 = address) -> x0 = value (0 if it faulted), x1 = faulted
probe_read64:
    adrp x2, faulted
    str xzr, [x2, :lo12:faulted]
    mov x1, x0
    mov x0, #0
    ldr x0, [x1]
    ldr x1, [x2, :lo12:faulted]
    ret
probe_read32:
    adrp x2, faulted
    str xzr, [x2, :lo12:faulted]
    mov x1, x0
    mov x0, #0
    ldr w0, [x1]
    ldr x1, [x2, :lo12:faulted]
    ret
// probe_write64 / probe_write32 (x0 = address, x1 = value) -> x1 = faulted
probe_write64:
    adrp x2, faulted
    str xzr, [x2, :lo12:faulted]
    str x1, [x0]
    ldr x1, [x2, :lo12:faulted]
    ret
probe_write32:
    adrp x2, faulted
    str xzr, [x2, :lo12:faulted]
    str w1, [x0]
    ldr x1, [x2, :lo12:faulted]
    ret

// outcome(x0 = value, x1 = faulted, x2 = 1 to print the value): ": 0x…" / ": ok" or
// ": fault ESR=… FAR=…", then a newline. Called with the UART lock held.
outcome:
    stp x29, x30, [sp, #-16]!
    cbnz x1, 1f
    cbz x2, 2f
    PUTS ": "
    bl puthex
    b 3f
2:  PUTS ": ok"
    b 3f
1:  PUTS ": fault ESR="
    adrp x0, last_esr
    ldr x0, [x0, :lo12:last_esr]
    bl puthex
    PUTS " FAR="
    adrp x0, last_far
    ldr x0, [x0, :lo12:last_far]
    bl puthex
3:  bl putnl
    ldp x29, x30, [sp], #16
    ret

// ram_probe(x0 = address): read (first touch: must be 0 or fault), write PATTERN ^ address,
// read back.
ram_probe:
    stp x29, x30, [sp, #-32]!
    stp x19, x20, [sp, #16]
    mov x19, x0
    bl probe_read64
    mov x20, x0
    cbnz x1, 1f
    cbz x0, 1f
    adrp x2, nonzero
    ldr x3, [x2, :lo12:nonzero]
    add x3, x3, #1
    str x3, [x2, :lo12:nonzero]
1:  bl uart_lock
    PUTS "attacker: read   "
    PUTHEX x19
    mov x0, x20
    mov x2, #1
    bl outcome
    bl uart_unlock
    ldr x1, =PATTERN
    eor x1, x1, x19
    mov x0, x19
    bl probe_write64
    bl uart_lock
    PUTS "attacker: write  "
    PUTHEX x19
    mov x2, #0
    bl outcome
    bl uart_unlock
    mov x0, x19
    bl ram_read_line
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

// ram_read_line(x0 = address): "attacker: reread <address>: <outcome>"
ram_read_line:
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x0
    bl probe_read64
    bl uart_lock
    PUTS "attacker: reread "
    PUTHEX x19
    mov x2, #1
    bl outcome
    bl uart_unlock
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

// dev_read(x0 = address) / dev_write(x0 = address, w1 = value): 32-bit device accesses
dev_read:
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x0
    bl probe_read32
    bl uart_lock
    PUTS "attacker: read   dev "
    PUTHEX x19
    mov x2, #1
    bl outcome
    bl uart_unlock
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret
dev_write:
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x0
    bl probe_write32
    bl uart_lock
    PUTS "attacker: write  dev "
    PUTHEX x19
    mov x2, #0
    bl outcome
    bl uart_unlock
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

// pv_set / pv_unset (x0 = IPA, x1 = size): the pvop, and a [mode-dependent] line with its
// result (SeKVM returns 1, KVM does not know the call).
pv_set:
    mov x2, #0
    b 1f
pv_unset:
    mov x2, #1
1:  stp x29, x30, [sp, #-48]!
    stp x19, x20, [sp, #16]
    str x21, [sp, #32]
    mov x19, x0
    mov x20, x1
    mov x21, x2
    cbnz x21, 2f
    bl kvm_set_desc_pfn
    b 3f
2:  bl kvm_unset_desc_pfn
3:  mov x1, x0
    bl uart_lock
    cbnz x21, 4f
    PUTS "[mode-dependent] attacker: KVM_SET_DESC_PFN("
    b 5f
4:  PUTS "[mode-dependent] attacker: KVM_UNSET_DESC_PFN("
5:  PUTHEX x19
    PUTS ", "
    PUTHEX x20
    PUTS ") = "
    PUTHEX x1
    bl putnl
    bl uart_unlock
    ldr x21, [sp, #32]
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #48
    ret

// deputy_read(x0 = buffer IPA outside the VM's RAM): a granted request block asking the device
// to read sector 0 into that buffer. The host has no mapping for it in either mode: status 2.
deputy_read:
    stp x29, x30, [sp, #-32]!
    stp x19, x20, [sp, #16]
    mov x19, x0
    adrp x20, req_page
    add x20, x20, :lo12:req_page
    mov x0, x20
    mov w1, #VREQ_READ
    mov x2, #0
    mov x3, x19
    mov w4, #4096
    bl virtio_req_fill
    mov x0, x20
    mov x1, #4096
    bl kvm_set_desc_pfn
    mov x0, #0
    mov x1, x20
    bl virtio_submit
    mov x20, x0
    adrp x0, req_page
    add x0, x0, :lo12:req_page
    mov x1, #4096
    bl kvm_unset_desc_pfn
    bl uart_lock
    PUTS "attacker: block read into "
    PUTHEX x19
    PUTS ": status "
    PUTDEC x20
    bl putnl
    bl uart_unlock
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

// attack_sync(x0 = frame, x1 = ESR, x2 = FAR) -> x0: data aborts at EL1 are recorded and
// skipped; anything else is left to the library (which reports it and powers off).
attack_sync:
    lsr x3, x1, #26
    cmp x3, #EC_DABT_CUR
    b.ne 1f
    adrp x3, last_esr
    str x1, [x3, :lo12:last_esr]
    adrp x3, last_far
    str x2, [x3, :lo12:last_far]
    adrp x3, faulted
    mov x4, #1
    str x4, [x3, :lo12:faulted]
    adrp x3, faults
    ldr x4, [x3, :lo12:faults]
    add x4, x4, #1
    str x4, [x3, :lo12:faults]
    ldr x3, [x0, #FRAME_ELR]
    add x3, x3, #4
    str x3, [x0, #FRAME_ELR]
    mov x0, #1
    ret
1:  mov x0, #0
    ret

// attack_serror(x0 = frame, x1 = ESR) -> 1: an asynchronous abort is counted and reported;
// the interrupted code continues.
attack_serror:
    stp x29, x30, [sp, #-16]!
    adrp x3, serrors
    ldr x4, [x3, :lo12:serrors]
    add x4, x4, #1
    str x4, [x3, :lo12:serrors]
    PUTS "attacker: SError ESR="
    mov x0, x1
    bl puthex
    bl putnl
    mov x0, #1
    ldp x29, x30, [sp], #16
    ret

.data
.balign 8
faulted:  .quad 0
faults:   .quad 0
serrors:  .quad 0
nonzero:  .quad 0
last_esr: .quad 0
last_far: .quad 0
.bss
.balign 4096
req_page: .skip 4096
