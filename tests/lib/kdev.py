"""The kernel's dev_t, as the tracepoints carry it (include/linux/kdev_t.h: MINORBITS 20), for
the Python checkers; the C side is dt_dev_encode() and friends in include/daxtrace.h."""

MINOR_BITS = 20


def kdev(dev):
    """The kernel's dev_t -> "MAJ:MIN"."""
    return "%d:%d" % (dev >> MINOR_BITS, dev & ((1 << MINOR_BITS) - 1))


def kdev_encode(maj_min):
    """"MAJ:MIN" -> the kernel's dev_t."""
    major, minor = (int(x) for x in maj_min.split(":"))
    return major << MINOR_BITS | minor
