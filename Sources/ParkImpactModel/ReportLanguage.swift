/// The language of a pilot's reports (`language:` in the pipeline YAML).
public enum ReportLanguage: String, Sendable, CaseIterable { case nl, en }
