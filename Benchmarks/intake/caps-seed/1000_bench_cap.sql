-- A seed folder for `compare`: the same binary with partner bench capped at a billion leads a day
-- for motor-trade (a cap configured and never reached), beside itself without a cap:
--   Benchmarks/intake/compare BIN BIN:Benchmarks/intake/caps-seed
-- compare adds the lead type and the partner's key after migrating, so the partner is made here
-- and the cap by a trigger when the type arrives.
INSERT INTO partners(name, created_at) VALUES ('bench', '2026-01-01T00:00:00.000Z');
CREATE TRIGGER bench_cap AFTER INSERT ON lead_types WHEN NEW.name = 'motor-trade'
BEGIN
    INSERT INTO partner_caps(partner_id, lead_type_id, per_day)
    SELECT partner_id, NEW.lead_type_id, 1000000000 FROM partners WHERE name = 'bench';
END;
