"""Lead deconfliction (撞单检测与裁决): matching, detection, cases and decisions (DESIGN §3.4)."""
