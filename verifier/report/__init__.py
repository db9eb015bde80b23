"""Turn verdicts into what people and tools read: text (rich), JSON, SARIF, GitHub lines.

Each format is its own module with a `render(...) -> str` (text writes to a
rich console). They read `verifier.pipeline.ObjectResult` values and import
nothing heavy at module level but what they need.
"""
