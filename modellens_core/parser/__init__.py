"""Reading a pasted description: task, modality, languages, metric and how sure (trained, shipped in checkpoints/parser/)."""
