"""An event into a Task or a Skip: payloads, the trigger, the event rules. Pure: no I/O."""
