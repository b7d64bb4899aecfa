// Decoded operation ids: what the decoder stores in the decoded-instruction cache and the run loop
// switches on (STYLE rule 11: switch on enums, no function pointers on hot paths). 0 = not decoded.

export const enum Op {
  None = 0,
  Undef,
  // Data processing — immediate (Arm ARM C4.1.86)
  Adr, Adrp,
  AddImmX, AddImmW, SubImmX, SubImmW, AddsImm, SubsImmX, SubsImmW,
  LogImm,
  MovZ, MovN, MovK,
  Sbfm, Bfm, Ubfm, Extr,
  UbfxX, UbfizX, SbfxX, UbfxW, UbfizW, SbfxW,
  // Branches, exception generation, system (C4.1.87)
  B, Bl, BCond, CbzX, CbnzX, CbzW, CbnzW, Tbz, Tbnz, Br, Blr, Ret, Eret,
  Svc, Hvc, Smc, Brk, Hlt,
  Nop, Wfi, Wfe, Sev, Sevl,
  Clrex, Dsb, Dmb, Isb,
  MsrImm, Mrs, Msr, Sys,
  // Loads and stores (C4.1.88)
  LdrLit, PrfmLit,
  LdrXUi, LdrWUi, StrXUi, StrWUi, LdrbUi, StrbUi, LdstUi,
  LdstImm9, LdstReg,
  Ldstp, StpXPre, LdpXPost, StpXOff, LdpXOff,
  Ldx, Stx, Ldxp, Stxp, Ldar, Stlr,
  Cas, Casp, Atomic, Swp,
  // Data processing — register (C4.1.89)
  LogSr, MovReg, AndRegX, OrrRegX, EorRegX, AddRegX, SubRegX, SubsRegX, AddSubSr, AddSubEr, AdcSbc, Ccmp, Csel,
  Udiv, Sdiv, Lslv, Lsrv, Asrv, Rorv,
  Rbit, Rev16, Rev32, Rev, Clz, Cls,
  MaddX, MsubX, MaddW, MsubW, Smaddl, Smsubl, Umaddl, Umsubl, Smulh, Umulh,
  Count,
}
