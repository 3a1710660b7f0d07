"""Local stand-ins for the AWS datastores, run as real server processes on 127.0.0.1.

Each backend is a context manager that starts its server on a free port (or a given
one), waits until it accepts connections and stops it, children included, on exit.
"""
