using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Enumerable.Range and Repeat with a count they refuse (negative, or a range past int.MaxValue): the gradient threw
/// nothing and returned 0 (or, past int.MaxValue, a wrapped counter's sum), where the method throws
/// ArgumentOutOfRangeException (stop-31 red-team pass). Valid counts keep their closed forms.
/// </summary>
public class EnumerableArgumentTests
{
    [Fact]
    public void BadCountsThrowAsEnumerableDoes()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable(Hessian = true)] public static double Query(double x, int n) => Enumerable.Range(0, n).Select(i => x * i).Sum();
                [Differentiable] public static double Loop(double x, int n) { double s = 0; foreach (var i in Enumerable.Range(0, n)) s += x * i; return s; }
                [Differentiable] public static double Repeated(double x, int n) => Enumerable.Repeat(x, n).Sum();
                [Differentiable] public static double Added(double x, int n) { var l = new List<double> { x }; l.AddRange(Enumerable.Repeat(x, n)); return l.Sum(); }
                [Differentiable] public static double From(double x, int s) => Enumerable.Range(s, 2).Select(i => x * (i - s)).Sum();
            """));
        var c = assembly.GetType("Demo.C")!;
        (double Value, double Derivative) Call(string name, int n)
        {
            var args = new object?[] { 0.5, n, null };
            double value = (double)c.GetMethod(name + "Gradient")!.Invoke(null, args)!;
            return (value, (double)args[2]!);
        }

        foreach (var (name, bad) in new[] { ("Query", -1), ("Loop", -1), ("Repeated", -1), ("Added", -1), ("From", int.MaxValue) })
        {
            var method = Assert.Throws<TargetInvocationException>(() => c.GetMethod(name)!.Invoke(null, new object[] { 0.5, bad }));
            Assert.IsType<ArgumentOutOfRangeException>(method.InnerException);
            var gradient = Assert.Throws<TargetInvocationException>(() => Call(name, bad));
            Assert.IsType<ArgumentOutOfRangeException>(gradient.InnerException);
        }

        Assert.Equal((3.0, 6.0), Call("Query", 4));
        Assert.Equal((3.0, 6.0), Call("Loop", 4));
        Assert.Equal((1.5, 3.0), Call("Repeated", 3));
        Assert.Equal((2.0, 4.0), Call("Added", 3));
        Assert.Equal((0.5, 1.0), Call("From", 7));
    }

    /// <summary>
    /// Array.Copy into a local array with a range past its end throws ArgumentException from the gradient, as from the
    /// method (ArgumentOutOfRangeException before, from the slices it is lowered to); a valid copy keeps its closed form,
    /// F = a₀a₁ + a₀, ∂ = (a₁ + 1, a₀).
    /// </summary>
    [Fact]
    public void ArrayCopyPastTheEndThrowsItsOwnException()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                [Differentiable] public static double Past(double[] a) { var b = new double[2]; Array.Copy(a, 0, b, 1, 2); return b[0] + b[1] * a[0]; }
                [Differentiable] public static double Fits(double[] a) { var b = new double[3]; Array.Copy(a, 0, b, 1, 2); return b[1] * b[2] + a[0]; }
            """));
        var c = assembly.GetType("Demo.C")!;
        var method = Assert.Throws<TargetInvocationException>(() => c.GetMethod("Past")!.Invoke(null, new object[] { new[] { 1.0, 2.0 } }));
        var objective = (DifferentiableFunction)c.GetMethod("PastObjective")!.Invoke(null, new object[] { 2 })!;
        var gradient = Assert.ThrowsAny<Exception>(() => objective.ValueAndGradient(new[] { 1.0, 2.0 }, new double[2]));
        Assert.Equal(method.InnerException!.GetType(), gradient.GetType());
        Assert.IsType<ArgumentException>(gradient);
        Expect.Gradient("[Differentiable] public static double F(double[] a) { var b = new double[3]; Array.Copy(a, 0, b, 1, 2); return b[1] * b[2] + a[0]; }",
            "F", new[] { 3.0, 5.0 }, new[] { 6.0, 3.0 }, 2);
    }

    /// <summary>
    /// The other copies, from the second red-team pass of stop 31: Array.Copy(w, d, n) with n &lt; 0 (the gradient
    /// returned a value) or n past an end, w.CopyTo(d, 2) past d's end, and span.CopyTo(d) into a shorter d throw what
    /// the method throws.
    /// </summary>
    [Theory]
    [InlineData("var d = new double[3]; Array.Copy(w, d, -1); return d[0];")]
    [InlineData("var d = new double[3]; Array.Copy(w, d, 4); return d[0];")]
    [InlineData("var d = new double[4]; w.CopyTo(d, 2); return d[0];")]
    [InlineData("var d = new double[1]; w.AsSpan(0, 2).CopyTo(d); return d[0] * w[0];")]
    public void CopiesThrowAsTheMethodDoes(string body)
    {
        var assembly = Expect.Compiles(Expect.InClass("[Differentiable] public static double F(double[] w) { " + body + " }"));
        var c = assembly.GetType("Demo.C")!;
        double[] w = { 0.7, 1.3, -0.4 };
        var method = Assert.Throws<TargetInvocationException>(() => c.GetMethod("F")!.Invoke(null, new object[] { w }));
        var objective = (DifferentiableFunction)c.GetMethod("FObjective")!.Invoke(null, new object[] { 3 })!;
        var gradient = Assert.ThrowsAny<Exception>(() => objective.ValueAndGradient(w, new double[3]));
        Assert.Equal(method.InnerException!.GetType(), gradient.GetType());
    }
}
