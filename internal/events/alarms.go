package events

// The events of welfare-technology alarms (trygghetslarm,
// docs/integrations.md). An alarm's events carry the case and person of
// the order its device is recorded on, so they are on the case's
// timeline; their payloads hold ids, the status and when the centre
// recorded it, never a name or free text.
const (
	// AlarmCentreCreated is an alarm receiving centre (larmcentral) given
	// OAuth2 client credentials to post alarms (subject user).
	AlarmCentreCreated = "alarm_centre.created"
	// AlarmCentreRevoked is an alarm receiving centre's client disabled:
	// its tokens end at once (subject user).
	AlarmCentreRevoked = "alarm_centre.revoked"
	// AlarmDeviceRegistered is a device id recorded on an order of a
	// device insats by its provider (subject order).
	AlarmDeviceRegistered = "alarm.device_registered"
	// AlarmReceived is an alarm the centre received from a device
	// (subject alarm).
	AlarmReceived = "alarm.received"
	// AlarmStaffOnTheWay is the centre's word that staff are on the way
	// to the person (subject alarm).
	AlarmStaffOnTheWay = "alarm.staff_on_the_way"
	// AlarmResolved is an alarm handled to its end (subject alarm).
	AlarmResolved = "alarm.resolved"
	// AlarmDeviceFault is a fault a device reported (a low battery, lost
	// connection): the provider checks the device (subject alarm).
	AlarmDeviceFault = "alarm.device_fault"
)
