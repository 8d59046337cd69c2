package events

// RegisterFileMade is a register file made for an authority (subject the
// register): the register, the period, the number of records and the
// file's SHA-256, never a person or an identity number (who was in it is
// in the access log).
const RegisterFileMade = "register.file_made"
