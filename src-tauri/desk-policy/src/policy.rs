//! GoRules JDM decision graphs: parse, validate with positions, evaluate.
