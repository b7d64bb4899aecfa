// VM guest library, part 10: the block device of the virtual platform. This is NOT real
// virtio (no virtqueues): it is a small synchronous request protocol of our own that reuses
// the virtio-mmio identification registers, so a scan looks like QEMU's `virt` board.
//
// Slots: slot n at VIRTIO_BASE + n * 0x200 (0x0A00_0000 + n * 0x200); slot 0 is the block
// device, slot 1 a network device (identification only), other slots are empty.
// Registers (32-bit accesses):
//   +0x000 MagicValue       reads 0x74726976 ("virt")
//   +0x004 Version          reads 2
//   +0x008 DeviceID         2 = block (slot 0), 1 = net (slot 1), 0 = empty slot
//   +0x00C VendorID         reads 0x554D4551 ("QEMU")
//   +0x050 QueueNotify      write 0: execute the request at REQ_ADDR; the request is complete
//                           when the write instruction completes (no polling)
//   +0x060 InterruptStatus  bit 0 = a request completed
//   +0x064 InterruptACK     write 1 to clear bit 0
//   +0x100 REQ_ADDR_LO      IPA of the request block, bits 31:0
//   +0x104 REQ_ADDR_HI      bits 63:32
// Request block (in guest RAM, 64-byte aligned):
//   +0  u32 type            0 = read (device -> guest), 1 = write (guest -> device)
//   +4  u32 status          written by the device: 0 OK, 1 I/O error, 2 buffer not accessible
//   +8  u64 sector          512-byte sectors
//   +16 u64 data            IPA of the data buffer, page-aligned
//   +24 u32 len             bytes, at most 4096, a multiple of 512
// The device ("QEMU", in the host's user space) reads and writes the request block and the
// buffer through the host's own mappings of guest memory. Under SeKVM the host can do so only
// for pages the guest granted with KVM_SET_DESC_PFN (pvops.s); for a buffer it cannot access
// (not granted, or outside the VM's RAM) the status is 2 and no data moves. If it cannot
// access the request block itself it can write nothing back: the status keeps whatever the
// guest left there. Hence the I/O sequence: write the request and touch the buffer, grant
// both pages, notify, read the status, revoke.
// Contents: byte i of sector s reads as ((s * 31 + i) & 0xff) until written; writes persist
// for the VM's lifetime.
.text

.equ VIRTIO_MAGIC,        0x000
.equ VIRTIO_VERSION,      0x004
.equ VIRTIO_DEVICE_ID,    0x008
.equ VIRTIO_VENDOR_ID,    0x00c
.equ VIRTIO_QUEUE_NOTIFY, 0x050
.equ VIRTIO_INT_STATUS,   0x060
.equ VIRTIO_INT_ACK,      0x064
.equ VIRTIO_REQ_LO,       0x100
.equ VIRTIO_REQ_HI,       0x104
.equ VIRTIO_MAGIC_VALUE,  0x74726976
.equ VIRTIO_VENDOR_QEMU,  0x554d4551
.equ VIRTIO_ID_NET,       1
.equ VIRTIO_ID_BLOCK,     2

.equ VREQ_TYPE,           0
.equ VREQ_STATUS,         4
.equ VREQ_SECTOR,         8
.equ VREQ_DATA,           16
.equ VREQ_LEN,            24
.equ VREQ_READ,           0
.equ VREQ_WRITE,          1
.equ VSTATUS_OK,          0
.equ VSTATUS_IOERR,       1
.equ VSTATUS_NOACCESS,    2
.equ VSTATUS_UNTOUCHED,   0xffffffff    // what the guest leaves in the status field
.equ SECTOR_SIZE,         512

// virtio_slot(x0 = slot) -> x0 = register base
virtio_slot:
    mov x1, #VIRTIO_STRIDE
    mov x2, #VIRTIO_BASE
    madd x0, x0, x1, x2
    ret

// virtio_probe(x0 = slot) -> x0 = DeviceID, or 0 (no device) if MagicValue/Version are wrong
virtio_probe:
    stp x29, x30, [sp, #-16]!
    bl virtio_slot
    ldr w1, [x0, #VIRTIO_MAGIC]
    ldr w2, =VIRTIO_MAGIC_VALUE
    cmp w1, w2
    b.ne 1f
    ldr w1, [x0, #VIRTIO_VERSION]
    cmp w1, #2
    b.ne 1f
    ldr w0, [x0, #VIRTIO_DEVICE_ID]
    ldp x29, x30, [sp], #16
    ret
1:  mov x0, #0
    ldp x29, x30, [sp], #16
    ret

// virtio_req_fill(x0 = request block, w1 = type, x2 = sector, x3 = data IPA, w4 = len):
// writes the block, with status = VSTATUS_UNTOUCHED.
virtio_req_fill:
    str w1, [x0, #VREQ_TYPE]
    mov w5, #VSTATUS_UNTOUCHED
    str w5, [x0, #VREQ_STATUS]
    str x2, [x0, #VREQ_SECTOR]
    str x3, [x0, #VREQ_DATA]
    str w4, [x0, #VREQ_LEN]
    ret

// virtio_submit(x0 = slot, x1 = request block IPA) -> x0 = the status field afterwards,
// x1 = InterruptStatus as read after the notify (bit 0 expected), which is then acknowledged.
virtio_submit:
    stp x29, x30, [sp, #-32]!
    str x19, [sp, #16]
    mov x19, x1
    bl virtio_slot
    str w19, [x0, #VIRTIO_REQ_LO]
    lsr x2, x19, #32
    str w2, [x0, #VIRTIO_REQ_HI]
    dsb sy                              // the request block is in memory before the notify
    str wzr, [x0, #VIRTIO_QUEUE_NOTIFY]
    dsb sy
    ldr w1, [x0, #VIRTIO_INT_STATUS]
    tbz w1, #0, 1f
    mov w2, #1
    str w2, [x0, #VIRTIO_INT_ACK]
1:  ldr w0, [x19, #VREQ_STATUS]
    ldr x19, [sp, #16]
    ldp x29, x30, [sp], #32
    ret

// virtio_blk_io(x0 = request block (page-aligned), w1 = type, x2 = sector, x3 = buffer IPA,
// w4 = len) -> x0 = status, x1 = InterruptStatus: the whole granted I/O sequence on slot 0:
// fill the request, grant its page and the buffer's pages, notify, revoke. The caller has
// already touched the buffer (written the data, or cleared it for a read).
virtio_blk_io:
    stp x29, x30, [sp, #-64]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    mov x19, x0
    mov x20, x3
    add x21, x4, #4095
    and x21, x21, #~4095                // buffer size rounded up to pages
    bl virtio_req_fill
    mov x0, x19
    mov x1, #4096
    bl kvm_set_desc_pfn
    mov x0, x20
    mov x1, x21
    bl kvm_set_desc_pfn
    mov x0, #0
    mov x1, x19
    bl virtio_submit
    stp x0, x1, [sp, #48]
    mov x0, x20
    mov x1, x21
    bl kvm_unset_desc_pfn
    mov x0, x19
    mov x1, #4096
    bl kvm_unset_desc_pfn
    ldp x0, x1, [sp, #48]
    ldp x21, x22, [sp, #32]
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #64
    ret
