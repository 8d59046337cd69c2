-- What a retention run's purge finds by case or person without reading
-- whole tables: blanking a person's events, a case's bookings and
-- payment-control findings, a person's attachments.
CREATE INDEX events_person ON events (tenant_id, person_id);
CREATE INDEX bookings_case ON bookings (tenant_id, case_id);
CREATE INDEX payment_control_findings_case ON payment_control_findings (tenant_id, case_id);
CREATE INDEX attachments_person ON attachments (tenant_id, person_id);
