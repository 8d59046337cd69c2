package events

// The event types of following a case on Mina sidor. Like notes and
// forms, their texts are never copied into events.
const (
	// MessageSent: a message is added to a case's conversation (subject
	// the case): its number, the side that wrote it (citizen or staff)
	// and, for a citizen, how they act for the person; not the text.
	MessageSent = "message.sent"
	// GoalCommented: a citizen comments on a goal of an order's
	// implementation plan (subject the order): the goal's index and how
	// the writer acts for the person; not the text.
	GoalCommented = "order.goal_commented"
)
