// s2-vmids: two VMs (VMID 1 and VMID 2, arm.md §1.3: stage-2 TLB entries are tagged with the
// VMID) map the same IPA to different pages. The guest reads the IPA under VMID 1, then 2,
// then 1 and 2 again, switching only VTTBR_EL2 (no TLBI): each read must show its own VM's
// page, since a translation cached for one VMID may never be used for another.
.equ IPA, 0x100000000
main:
    stp x29, x30, [sp, #-16]!
    mov x0, #1
    bl s2_std
    mov x19, x0
    mrs x21, vttbr_el2
    mov x0, #2
    bl s2_std
    mov x20, x0
    mrs x22, vttbr_el2
    ldr x0, =0x1111
    bl marker_page
    ldr x2, =(S2_RAM | DESC_PAGE)
    orr x2, x2, x0
    mov x0, x19
    ldr x1, =IPA
    mov x3, #3
    mov x4, #1
    bl pt_map
    ldr x0, =0x2222
    bl marker_page
    ldr x2, =(S2_RAM | DESC_PAGE)
    orr x2, x2, x0
    mov x0, x20
    ldr x1, =IPA
    bl pt_map
    ldr x0, =HCR_GUEST
    msr hcr_el2, x0
    mov x23, #0
1:  msr vttbr_el2, x21
    isb
    bl rd
    bl sayx
    .asciz "VMID 1 reads "
    .balign 4
    msr vttbr_el2, x22
    isb
    bl rd
    bl sayx
    .asciz "VMID 2 reads "
    .balign 4
    add x23, x23, #1
    cmp x23, #2
    b.lo 1b
    ldp x29, x30, [sp], #16
    ret

rd:
    stp x29, x30, [sp, #-16]!
    adr x0, g_ldr
    ldr x1, =IPA
    bl guest_call
    ldp x29, x30, [sp], #16
    ret
