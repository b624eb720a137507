namespace SymbolicGrad.Corpus.Tests;

public class StructTests
{
    private static double[] Cross(double[] a, double[] b) => new[] { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };

    /// <summary>A = ½|n|, n = (b − a) × (c − a): ∂A/∂b = ½ (c − a) × n̂, ∂A/∂c = ½ n̂ × (b − a), ∂A/∂a = −(∂A/∂b + ∂A/∂c).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TriangleAreaWithVec3ParametersAndOperators(int seed)
    {
        var p = Verify.Random(9, seed, 2);
        double[] a = p[0..3], b = p[3..6], c = p[6..9];
        var u = b.Zip(a, (x, y) => x - y).ToArray();
        var v = c.Zip(a, (x, y) => x - y).ToArray();
        var n = Cross(u, v);
        double norm = Math.Sqrt(n.Sum(e => e * e));
        var nHat = n.Select(e => e / norm).ToArray();
        var db = Cross(v, nHat).Select(e => 0.5 * e).ToArray();
        var dc = Cross(nHat, u).Select(e => 0.5 * e).ToArray();
        var da = db.Zip(dc, (x, y) => -(x + y)).ToArray();
        Verify.Both(Geometry.TriangleAreaObjective(), p, da.Concat(db).Concat(dc).ToArray());

        // The gradient method itself returns Vec3 gradients.
        double area = Geometry.TriangleAreaGradient(new Vec3(a[0], a[1], a[2]), new Vec3(b[0], b[1], b[2]), new Vec3(c[0], c[1], c[2]), out Vec3 dA, out Vec3 dB, out Vec3 dC);
        Assert.Equal(0.5 * norm, area, 1e-12);
        Assert.Equal(da[0], dA.X, 1e-12);
        Assert.Equal(db[1], dB.Y, 1e-12);
        Assert.Equal(dc[2], dC.Z, 1e-12);
    }

    private static readonly Spring[] Springs =
    {
        new(0, 1, 1.0, 2.0),
        new(1, 2, 0.5, 1.0),
        new(0, 2, 1.5, 3.0),
        new(2, 3, 0.8, 0.5),
    };

    /// <summary>∂E/∂p_A = k · stretch · (p_A − p_B)/|p_A − p_B| (and the opposite for B), plus gravity on z.</summary>
    private static double[] SpringGradient(double[] x, double gravity)
    {
        var g = new double[x.Length];
        foreach (var s in Springs)
        {
            var d = Enumerable.Range(0, 3).Select(i => x[3 * s.A + i] - x[3 * s.B + i]).ToArray();
            double len = Math.Sqrt(d.Sum(e => e * e));
            for (int i = 0; i < 3; i++)
            {
                double f = s.Stiffness * (len - s.RestLength) * d[i] / len;
                g[3 * s.A + i] += f;
                g[3 * s.B + i] -= f;
            }
        }

        for (int i = 0; i < x.Length / 3; i++)
        {
            g[3 * i + 2] += gravity;
        }

        return g;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void SpringEnergyFromStructData(int seed)
    {
        var x = Verify.Random(12, seed, 2);
        Verify.Both(Geometry.SpringEnergyObjective(12, Springs), x, SpringGradient(x, 0));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void MassSpringModelClass(int seed)
    {
        var model = new MassSpringModel(Springs, 0.3);
        var x = Verify.Random(12, seed, 2);
        Verify.Both(model.EnergyObjective(12), x, SpringGradient(x, 0.3));
    }

    [Theory]
    [InlineData(0.3, 0.7)]
    [InlineData(-1.2, 0.4)]
    public void WithExpressionOnAStructLocal(double x, double y)
    {
        // q = (x, 2y): f = 2xy + √(x² + 4y² + 1)
        double r = Math.Sqrt(x * x + 4 * y * y + 1);
        Verify.Both(Geometry.StretchedObjective(), new[] { x, y }, new[] { 2 * y + x / r, 2 * x + 4 * y / r });
    }

    [Theory]
    [InlineData(0.3, 0.7)]
    [InlineData(-1.2, 0.4)]
    public void RecordStructParameter(double x, double y)
    {
        Verify.Both(Geometry.ProductObjective(), new[] { x, y }, new[] { y + Math.Cos(x), x });
    }
}
