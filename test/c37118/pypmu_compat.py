"""Lets the released pypmu (synchrophasor 1.0.0a0) run on Python >= 3.10.

pypmu's CommonFrame.set_time checks `isinstance(frasec, collections.Sequence)`;
that alias moved to collections.abc in Python 3.10, so every frame pypmu
decodes with a timestamp (commands, configs, data) fails there. Restoring the
alias before importing pypmu changes nothing else in its behaviour.
"""
import collections
import collections.abc

if not hasattr(collections, "Sequence"):
    collections.Sequence = collections.abc.Sequence
