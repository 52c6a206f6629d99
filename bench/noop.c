/* lf-bench-noop: the floor of an agent's cost, one exec that only exits. */
int
main(void)
{
    return 0;
}
