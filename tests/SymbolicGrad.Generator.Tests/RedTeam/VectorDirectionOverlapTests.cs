using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team H (stop 34): the vector-valued NameTangent checked tangent against r and the inputs, but not against the
/// directions: J·v computed in place (tangent and v the same array) came out zero, as tangent is cleared first; r
/// sharing a direction's memory gave J·v of another direction. Results that share an input's memory made NameJacobian
/// the Jacobian of the method without the aliasing. Each is now an ArgumentException naming the two.
/// </summary>
public class VectorDirectionOverlapTests
{
    private const string Members = """
        [Differentiable] public static void G(double[] x, double[,] m, Span<double> r)
        {
            r[0] = x[0] * x[1] + m[0, 1];
            r[1] = x[0] + x[1] * m[0, 0];
        }
        """;

    private delegate void GTangent(double[] x, double[,] m, Span<double> r, ReadOnlySpan<double> vX, double[,] vM, Span<double> tangent);

    private delegate void GJacobian(double[] x, double[,] m, Span<double> r, Span<double> jacobian);

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    private static T Method<T>(string name) where T : Delegate =>
        Compiled.Value.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<T>();

    [Fact]
    public void ADirectionSharingMemoryWithTheTangentOrTheResultsIsRefused()
    {
        var tangent = Method<GTangent>("GTangent");
        double[] x = [2, 3];
        double[,] m = { { 0.5, 1 } };
        double[,] vM = new double[1, 2];
        double[] v = [1, 0];

        var e = Assert.Throws<ArgumentException>(() => tangent(x, m, new double[2], v, vM, v));
        Assert.Contains("tangent overlaps vX", e.Message, StringComparison.Ordinal);

        double[] r = [1, 0];
        e = Assert.Throws<ArgumentException>(() => tangent(x, m, r, r, vM, new double[2]));
        Assert.Contains("r overlaps vX", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => tangent(x, m, new double[2], v, vM, SymbolicGrad.Internal.MatrixArguments.AsSpan(vM)));
        Assert.Contains("tangent overlaps vM", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => tangent(x, m, x, v, vM, new double[2]));
        Assert.Contains("r overlaps x", e.Message, StringComparison.Ordinal);

        // Separate buffers: J·v along v = e₀ is (x₁, 1), along m₀₀ it is (0, x₁).
        var t = new double[2];
        tangent(x, m, new double[2], v, vM, t);
        Assert.Equal([3.0, 1.0], t);
        vM[0, 0] = 1;
        tangent(x, m, new double[2], new double[2], vM, t);
        Assert.Equal([0.0, 3.0], t);
    }

    [Fact]
    public void ResultsSharingAnInputsMemoryAreRefusedByTheJacobian()
    {
        var jacobian = Method<GJacobian>("GJacobian");
        double[] x = [2, 3];
        double[,] m = { { 0.5, 1 } };
        var e = Assert.Throws<ArgumentException>(() => jacobian(x, m, x, new double[8]));
        Assert.Contains("r overlaps x", e.Message, StringComparison.Ordinal);

        // Separate buffers: rows ∂r/∂(x₀, x₁, m₀₀, m₀₁).
        var r = new double[2];
        var j = new double[8];
        jacobian(x, m, r, j);
        Assert.Equal([7.0, 3.5], r);
        Assert.Equal([3.0, 2.0, 0.0, 1.0, 1.0, 0.5, 3.0, 0.0], j);
    }
}
