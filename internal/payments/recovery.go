package payments

// Recovery (återkrav) of amounts paid wrongly. The social welfare board
// may decide that a person repays economic assistance paid on wrong or
// missing information, or otherwise wrongly or with too much (SoL 9 kap.
// 1 §), or paid as an advance on a benefit or on condition that it is
// repaid (SoL 9 kap. 2 §). The decision is a debt; repayments are
// registered against it until its balance is zero, never below. The
// legal bases a recovery may cite are data: a case type's
// decisions.recovery (internal/process).

// MaxRecoveryAmount is the largest amount one recovery decision or
// repayment may have, in öre (10 million kronor): more is a typing
// mistake.
const MaxRecoveryAmount int64 = 1_000_000_000
