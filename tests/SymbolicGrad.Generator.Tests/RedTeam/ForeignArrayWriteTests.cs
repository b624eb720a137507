namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Writes through a variable whose alias class holds both an array the method creates and one it did not: a field, a row
/// of a [NoDerivative] jagged parameter, an array from a cast of an object (red-team review of the SG0018 flows, #11).
/// These classes are "owned" (they hold an allocation) and not a parameter's, so the write was accepted: the generated
/// code wrote into the field or the caller's row, and the gradient treated the overwritten data as constant (wrong by the
/// written value's derivative). Such a write is now SG0018 when the other array may flow into the variable written through.
/// </summary>
public class ForeignArrayWriteTests
{
    [Fact]
    public void AFieldChosenBesideANewArrayIsNotWritten() => KnownBugs.Expect.Refused("""
            static readonly double[] Table = { 1, 2, 3, 4 };

            [Differentiable]
            public static double F(double[] p)
            {
                double[] r = p[0] > 0 ? Table : new double[4];
                [|r[0]|] = p[1];
                return r[0] * p[0] + Table[0] * p[1];
            }
        """, "SG0018", "'r[0] = p[1]'", "may be one the method did not create");

    [Fact]
    public void ARowOfADataParameterChosenBesideANewArrayIsNotWritten() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p, [NoDerivative] double[][] data)
            {
                double[] r = p[0] > 0 ? data[0] : new double[4];
                [|r[0]|] = p[1];
                return r[0] * p[0] + data[0][0] * p[1];
            }
        """, "SG0018", "may be one the method did not create");

    [Fact]
    public void ARowStoredInALocalJaggedArrayIsNotWritten() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p, [NoDerivative] double[][] rows)
            {
                var hs = new double[2][];
                hs[0] = rows[0];
                hs[1] = new double[4];
                var h = hs[p[0] > 9 ? 1 : 0];
                [|h[0]|] = p[1];
                return h[0] * p[0] + rows[0][0] * p[1];
            }
        """, "SG0018", "may be one the method did not create");

    [Fact]
    public void AnArrayFromACastOfAnObjectIsNotWritten() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p, [NoDerivative] double[] d)
            {
                object o = d;
                double[] g = new double[2];
                if (o is double[] arr) g = arr;
                [|g[0]|] = 5;
                return p[0] * p[1];
            }
        """, "SG0018", "may be one the method did not create");

    /// <summary>A differentiated array boxed as an object is refused where it is boxed (stop 35): read back through the object it would be data.</summary>
    [Fact]
    public void ADifferentiatedArrayBoxedAsAnObjectIsRefused() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p)
            {
                object o = [|p|];
                return o is double[] arr ? arr[0] * p[1] : p[1];
            }
        """, "SG0015", "object");

    /// <summary>A field read by the first layer only, the buffers swapped and written: still accepted. h_j = w_j²·T_j, so ∂/∂w_j = 2·w_j·T_j.</summary>
    [Fact]
    public void LayersThatReadAFieldFirstStillCompile()
    {
        const string Source = """
                static readonly double[] Table = { 0.5, 2.0 };

                [Differentiable]
                public static double F(double[] w)
                {
                    double[] h = new double[2], next = new double[2];
                    for (int l = 0; l < 2; l++)
                    {
                        var input = l == 0 ? Table : h;
                        for (int j = 0; j < 2; j++) next[j] = w[j] * input[j];
                        (h, next) = (next, h);
                    }

                    return h[0] + h[1];
                }
            """;
        double[] w = { 0.75, -1.5 };
        KnownBugs.Expect.Gradient(Source, "F", w, new[] { 2 * w[0] * 0.5, 2 * w[1] * 2.0 }, 2);
    }
}
