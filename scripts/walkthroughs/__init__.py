"""`make demo`'s walkthroughs, one function per printed step, and the sample installations they use."""
