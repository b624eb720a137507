using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team T (stop 37): code that runs as written (a count of lines, a message, Console.WriteLine) is copied into the
/// generated file on one line.
/// - Every run of whitespace was collapsed, also inside a verbatim or raw string over several lines, so
///   @"a&lt;newline&gt;b".Split('\n').Length was 1 in the gradient and 2 in the method: a silently wrong value and
///   derivative. Such a string is now printed as a one-line literal of the same value.
/// - A // comment or an #if inside such a call swallowed the rest of the line: generated code that did not compile.
///   Comments and directives now read as a space.
/// - A C# 14 extension member there did not bind in the generated file: now SG0017.
/// - switch (a, b) (a tuple without its own parentheses) was SG9999.
/// </summary>
public class RunAsWrittenTextTests
{
    /// <summary>f = x²·(lines of a two-line verbatim string) + x·(length with two spaces kept): ∂f = 4x + 4.</summary>
    [Fact]
    public void MultiLineStringsKeepTheirValue() => Expect.Gradient("""
            [Differentiable] public static double F(double x)
            {
                int lines = @"a
            b".Split('\n').Length;
                int n = @"a  b".Length;
                return x * x * lines + x * n;
            }
            """, "F", new[] { 1.5 }, new[] { 4 * 1.5 + 4 });

    [Fact]
    public void CommentsAndDirectivesInsideAMultiLineCallCompile() => Expect.Gradient("""
            [Differentiable] public static double F(double x, [NoDerivative] string s)
            {
                Console.WriteLine(s // what it prints
                    + "!" /* and a mark */ +
            #if DEBUG
                    "debug"
            #else
                    "release"
            #endif
                    );
                if (x > 1e300) throw new ArgumentException(s // a comment
                    + " too large");
                return x * x;
            }
            """, "F", new[] { 1.5 }, new[] { 3.0 }, "s");

    /// <summary>switch (k, x &gt; 0) { case (1, true): x², default: x } at k = 1, x = 1.5: f' = 3.</summary>
    [Fact]
    public void SwitchOnATupleWithoutItsOwnParentheses() => Expect.Gradient("""
            [Differentiable] public static double F(double x, [NoDerivative] int k)
            {
                switch (k, x > 0)
                {
                    case (1, true): return x * x;
                    default: return x;
                }
            }
            """, "F", new[] { 1.5 }, new[] { 3.0 }, 1);

    [Fact]
    public void ExtensionBlockMembersInCodeThatRunsAsWrittenAreRefused()
    {
        var run = MlDraftTests.RunPreview("""
            using System;
            using SymbolicGrad;
            namespace Demo.Other
            {
                public static class Ext
                {
                    extension(string s)
                    {
                        public int Vowels => s.Length / 2;
                    }
                }
            }
            namespace Demo
            {
                using Demo.Other;
                public static partial class C
                {
                    [Differentiable] public static double F(double x, [NoDerivative] string name)
                    {
                        Console.WriteLine(name.Vowels);
                        return x * x;
                    }
                }
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0017", error.Id);
        Assert.Contains("extension member", error.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.CompilationProblems.Where(p => p.Id != "SG0017"));
    }

    /// <summary>[Differentiable] on a member of an extension block was SG0001 without a location, naming an empty type ''.</summary>
    [Fact]
    public void DifferentiableOnAnExtensionBlockMemberSaysWhatToWrite()
    {
        var run = MlDraftTests.RunPreview("""
            using System;
            using SymbolicGrad;
            namespace Demo;
            public static partial class Ext
            {
                extension(double v)
                {
                    [Differentiable] public double Sq2() => v * v;
                }
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0023", error.Id);
        Assert.Equal(7, error.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("extension block", error.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("this double v", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>A params List&lt;double&gt; helper was refused as "a collection expression of this type", which the caller never wrote.</summary>
    [Fact]
    public void AParamsListParameterIsNamedInItsRefusal()
    {
        var run = MlDraftTests.RunPreview(Harness.Usings + """
            using System.Collections.Generic;
            namespace Demo;
            public static partial class C
            {
                static double SumL(params List<double> v) { double s = 0; foreach (var a in v) s += a; return s; }
                [Differentiable] public static double F(double[] x) => SumL(x[0], x[1] * 2);
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0006", error.Id);
        Assert.Contains("params parameter of type 'List<double>'", error.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("params double[]", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Red-team U: an interpolated raw string on lines of its own ($""" newline {x.Length} items newline """) was laid
    /// out on one line, where its line breaks became spaces in the value: "4 items" was " 4 items " (a silently wrong
    /// value and gradient, Hessian and Jacobian). It is SG0017 now, with the one-line rewrite.
    /// </summary>
    [Fact]
    public void AnInterpolatedRawStringOverSeveralLinesIsRefused()
    {
        var run = MlDraftTests.RunPreview(Harness.Usings + "namespace Demo;\npublic static partial class C\n{\n"
            + "    [Differentiable] public static double F(double[] x)\n    {\n        var label = $\"\"\"\n            {x.Length} items\n            \"\"\";\n"
            + "        return label.Length * x[0];\n    }\n}\n");
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0017", error.Id);
        Assert.Contains("interpolated raw string", error.GetMessage(), StringComparison.Ordinal);
    }
}
