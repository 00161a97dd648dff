extension Store {
    /// Seeds the example lead types the demo server offers (for a throw-away database only;
    /// administrators add real types with their own migration files).
    public func seedExampleTypes() async throws {
        try await writer.write { connection in
            try connection.execute(
                script: """
                    INSERT OR IGNORE INTO lead_types(name) VALUES ('motor-trade');
                    INSERT OR IGNORE INTO lead_types(name, call_group, default_delay) VALUES ('van-insurance', 'motor-trade', 300);
                    INSERT OR IGNORE INTO lead_types(name, dedupe_days, window_start, window_end, window_days)
                    VALUES ('home-insurance', 60, '09:00', '20:00', 'mon,tue,wed,thu,fri,sat');
                    """)
        }
    }
}
