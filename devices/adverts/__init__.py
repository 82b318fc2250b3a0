"""Decoders for measurements that arrive in advertisements (service data), not over GATT."""
