using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CSharp;
using static SymbolicGrad.CodeFixes.Tests.Workbench;

namespace SymbolicGrad.CodeFixes.Tests;

/// <summary>
/// Each code fix: the generator reports the diagnostic, the fix is applied through the Workspaces API, and the fixed
/// project compiles with the generator, without that diagnostic (and without any error), with the gradient generated.
/// The expected texts are written by hand: they are what a user should see after the fix.
/// </summary>
public sealed class CodeFixTests
{
    private static async Task<Diagnostic> Single(Project project, string id)
    {
        var problems = await Problems(project);
        return Assert.Single(problems, d => d.Id == id);
    }

    private static async Task AssertFixed(Project project, string generatedMethod)
    {
        var problems = await Problems(project);
        Assert.True(problems.IsEmpty, "after the fix: " + string.Join("\n", problems));
        var (output, _) = await Generate(project);
        Assert.Contains(output.SyntaxTrees, t => t.ToString().Contains(generatedMethod, StringComparison.Ordinal));
    }

    private static async Task<Project> ApplyOnly(Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider provider, Project project, Diagnostic diagnostic, string title)
    {
        CodeAction action = Assert.Single(await Fixes(provider, project, diagnostic));
        Assert.Equal(title, action.Title);
        return await Apply(action, project);
    }

    // SG0001: make the type partial.

    [Fact]
    public async Task SG0001_MakesTheTypePartial()
    {
        Project project = Project(Usings + """
            namespace Demo;

            public static class Losses
            {
                [Differentiable] public static double F(double x) => x * x;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0001");
        Project fixedProject = await ApplyOnly(new MakePartialCodeFixProvider(), project, diagnostic, "Make 'Losses' partial");
        Assert.Contains("public static partial class Losses\n", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient");
    }

    [Fact]
    public async Task SG0001_KeepsCommentsAndAttributesWhenTheTypeHasNoModifier()
    {
        Project project = Project(Usings + """
            // The model's losses.
            [System.Obsolete("old")]
            class Losses
            {
                [Differentiable] public static double F(double x) => x * x;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0001");
        Project fixedProject = await ApplyOnly(new MakePartialCodeFixProvider(), project, diagnostic, "Make 'Losses' partial");
        Assert.Equal(Usings + """
            // The model's losses.
            [System.Obsolete("old")]
            partial class Losses
            {
                [Differentiable] public static double F(double x) => x * x;
            }
            """, await Text(fixedProject, "File0.cs"));
        var problems = await Problems(fixedProject);
        Assert.DoesNotContain(problems, d => d.Id == "SG0001" || d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public async Task SG0001_MakesEveryTypeOnTheWayPartialInOneFix()
    {
        Project project = Project(Usings + """
            public class Outer
            {
                internal sealed class Middle
                {
                    public static class Inner
                    {
                        [Differentiable] public static double F(double x) => x * x;
                    }
                }
            }
            """);
        var problems = await Problems(project);
        Diagnostic diagnostic = problems.First(d => d.Id == "SG0001");
        CodeAction action = Assert.Single(await Fixes(new MakePartialCodeFixProvider(), project, diagnostic));
        Project fixedProject = await Apply(action, project);
        string text = await Text(fixedProject, "File0.cs");
        Assert.Contains("public partial class Outer", text, StringComparison.Ordinal);
        Assert.Contains("internal sealed partial class Middle", text, StringComparison.Ordinal);
        Assert.Contains("public static partial class Inner", text, StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient");
    }

    [Fact]
    public async Task SG0001_FixAllFixesEveryTypeOfTheDocument()
    {
        Project project = Project(Usings + """
            public static class A { [Differentiable] public static double F(double x) => x * x; }
            public static class B { [Differentiable] public static double G(double x) => x * x * x; }
            public readonly struct C { [Differentiable] public double H(double x) => 2 * x; }
            """);
        var diagnostics = (await Problems(project)).Where(d => d.Id == "SG0001").ToImmutableArray();
        Assert.Equal(3, diagnostics.Length);
        Project fixedProject = await FixAllInDocument(new MakePartialCodeFixProvider(), project, diagnostics, "SymbolicGrad.MakePartial");
        string text = await Text(fixedProject, "File0.cs");
        Assert.Contains("public static partial class A", text, StringComparison.Ordinal);
        Assert.Contains("public static partial class B", text, StringComparison.Ordinal);
        Assert.Contains("public readonly partial struct C", text, StringComparison.Ordinal);
        await AssertFixed(fixedProject, "HGradient");
    }

    // SG0037 (a warning) at a collection of numbers read as data: mark it [NoDerivative], and the warning is gone.

    [Fact]
    public async Task SG0037_MarksAListParameterNoDerivative()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x, System.Collections.Generic.List<double> xs) => x * xs[0];
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0037");
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("'xs' (List<double>) holds numbers but gets no derivative", diagnostic.GetMessage(), StringComparison.Ordinal);
        Project fixedProject = await ApplyOnly(new AddNoDerivativeCodeFixProvider(), project, diagnostic, "Mark 'xs' [NoDerivative] (data, not differentiated)");
        Assert.Contains("F(double x, [NoDerivative] System.Collections.Generic.List<double> xs)", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient(double x, global::System.Collections.Generic.List<double> xs, out double dX)");
    }

    // SG0006 at a parameter of three levels or dimensions (double[][] and double[,] are differentiated): mark it [NoDerivative].

    [Fact]
    public async Task SG0006_MarksAJaggedParameterNoDerivative()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x, double[][][] rows) => x * rows[0][0][0];
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0006");
        Project fixedProject = await ApplyOnly(new AddNoDerivativeCodeFixProvider(), project, diagnostic, "Mark 'rows' [NoDerivative] (data, not differentiated)");
        Assert.Contains("public static double F(double x, [NoDerivative] double[][][] rows) => x * rows[0][0][0];", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient(double x, double[][][] rows, out double dX)");
    }

    [Fact]
    public async Task SG0006_TheAttributeIsQualifiedWhenSymbolicGradIsNotImported()
    {
        Project project = Project("""
            public static partial class Losses
            {
                [SymbolicGrad.Differentiable]
                public static double F(double x, double[,,] grid) => x * grid[0, 0, 0];
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0006");
        Project fixedProject = await ApplyOnly(new AddNoDerivativeCodeFixProvider(), project, diagnostic, "Mark 'grid' [NoDerivative] (data, not differentiated)");
        Assert.Contains("F(double x, [SymbolicGrad.NoDerivative] double[,,] grid)", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient");
    }

    [Fact]
    public async Task SG0006_FixAllMarksEveryParameterOfTheDocument()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable] public static double F(double x, double[][][] rows, double[,,] grid) => x * rows[0][0][0] * grid[0, 0, 0];
                [Differentiable] public static double G(double x, double[][][] more) => x * more[1][0][0];
            }
            """);
        var diagnostics = (await Problems(project)).Where(d => d.Id == "SG0006").ToImmutableArray();
        Assert.Equal(3, diagnostics.Length);
        Project fixedProject = await FixAllInDocument(new AddNoDerivativeCodeFixProvider(), project, diagnostics, "SymbolicGrad.AddNoDerivative");
        string text = await Text(fixedProject, "File0.cs");
        Assert.Contains("F(double x, [NoDerivative] double[][][] rows, [NoDerivative] double[,,] grid)", text, StringComparison.Ordinal);
        Assert.Contains("G(double x, [NoDerivative] double[][][] more)", text, StringComparison.Ordinal);
        await AssertFixed(fixedProject, "GGradient");
    }

    [Fact]
    public async Task SG0006_MarksAStructParameterWhoseGradientCannotBeBuiltNoDerivative()
    {
        Project project = Project(Usings + """
            public readonly struct Point
            {
                public readonly double X;
                public Point(double x, int scale) { X = x * scale; }
            }

            public static partial class Losses
            {
                [Differentiable]
                public static double F(double w, Point p) => w * p.X;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0006");
        Project fixedProject = await ApplyOnly(new AddNoDerivativeCodeFixProvider(), project, diagnostic, "Mark 'p' [NoDerivative] (data, not differentiated)");
        Assert.Contains("public static double F(double w, [NoDerivative] Point p) => w * p.X;", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient(double w, global::Point p, out double dW)");
    }

    [Fact]
    public async Task SG0006_NoFixWhereNoDerivativeWouldNotHelp()
    {
        // SG0006 for something other than a parameter (here: a LINQ operator the generator does not know, Distinct).
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x, double[] xs)
                {
                    double[] a = [System.Linq.Enumerable.First(System.Linq.Enumerable.Distinct(System.Linq.Enumerable.Select(xs, v => v * x))), x];
                    return a[0] * a[^1];
                }
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0006");
        Assert.Empty(await Fixes(new AddNoDerivativeCodeFixProvider(), project, diagnostic));
    }

    // SG0007: a parameter named like another's gradient output.

    [Fact]
    public async Task SG0007_RenamesTheClashingParameterAndItsUses()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x, double dX) => x * dX + dX;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0007");
        Project fixedProject = await ApplyOnly(new RenameCodeFixProvider(), project, diagnostic, "Rename 'dX' to 'dXInput'");
        Assert.Contains("public static double F(double x, double dXInput) => x * dXInput + dXInput;", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient(double x, double dXInput, out double dX, out double dDXInput)");
    }

    [Fact]
    public async Task SG0007_RenamesTheSecondOfTwoParametersWithOneOutputName()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x, double X) => x * X;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0007");
        Project fixedProject = await ApplyOnly(new RenameCodeFixProvider(), project, diagnostic, "Rename 'X' to 'XInput'");
        Assert.Contains("public static double F(double x, double XInput) => x * XInput;", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient(double x, double XInput, out double dX, out double dXInput)");
    }

    // SG0030: a member already has a generated member's name (reported at that member's name).

    [Fact]
    public async Task SG0030_RenamesTheCollidingMemberAndEveryReferenceToIt()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable] public static double F(double x) => x * x;

                // Written by hand before the generator was added.
                public static double FGradient(double x, out double dX) { dX = 2 * x; return x * x; }
            }
            """, """
            public static class Caller
            {
                public static double Use(double x) => Losses.FGradient(x, out double d) + d;
            }
            """);
        var problems = await Problems(project);
        Diagnostic diagnostic = Assert.Single(problems);
        Assert.Equal("SG0030", diagnostic.Id);
        Assert.Equal("FGradient", (await diagnostic.Location.SourceTree!.GetTextAsync()).ToString(diagnostic.Location.SourceSpan));
        Project fixedProject = await ApplyOnly(new RenameCodeFixProvider(), project, diagnostic, "Rename 'FGradient' to 'FGradientHandWritten'");
        Assert.Contains("public static double FGradientHandWritten(double x, out double dX)", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        Assert.Contains("Losses.FGradientHandWritten(x, out double d)", await Text(fixedProject, "File1.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient");
    }

    [Fact]
    public async Task SG0030_PicksAFreeName()
    {
        Project project = Project(Usings + """
            public partial class Model
            {
                [Differentiable] public double Loss(double w) => w * w;
                public int LossObjective;
                public int LossObjectiveHandWritten;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0030");
        Project fixedProject = await ApplyOnly(new RenameCodeFixProvider(), project, diagnostic, "Rename 'LossObjective' to 'LossObjectiveHandWritten2'");
        await AssertFixed(fixedProject, "LossGradient");
    }

    [Fact]
    public async Task SG0030_NoRenameOfADifferentiableOverload()
    {
        // Two overloads would get the same LossObjective(int): SG0030 is at the later [Differentiable] method, and
        // renaming it to 'LossHandWritten' would not be what the user means; which one to rename is theirs to decide.
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable] public static double Loss(double a, int k) => a * k;
                [Differentiable] public static double Loss(double[] a) => a[0] * a[0];
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0030");
        Assert.Empty(await Fixes(new RenameCodeFixProvider(), project, diagnostic));
    }

    // SG0015: a call to a helper with no known derivative. Helpers in the same project are inlined; one in another
    // project of the solution is called, and needs its own generated gradient.

    private const string SqHelper = """
        public static class Helpers
        {
            /// <summary>x².</summary>
            public static double Sq(double v) => v * v;
        }
        """;

    private const string SqCaller = Usings + """
        public static partial class Losses
        {
            [Differentiable]
            public static double F(double x) => Helpers.Sq(x) + x;
        }
        """;

    [Fact]
    public async Task SG0015_MarksAHelperOfAnotherProjectDifferentiableAndItsTypePartial()
    {
        Project project = TwoProjects([SqHelper], SqCaller);
        Diagnostic diagnostic = await Single(project, "SG0015");
        Project fixedProject = await ApplyOnly(new MarkDifferentiableCodeFixProvider(), project, diagnostic, "Mark 'Sq' [Differentiable]");
        Project helpers = fixedProject.Solution.Projects.Single(p => p.Name == "Helpers");
        Assert.Equal("""
            public static partial class Helpers
            {
                /// <summary>x².</summary>
                [SymbolicGrad.Differentiable]
                public static double Sq(double v) => v * v;
            }
            """, await Text(helpers, "Helpers0.cs"));
        await AssertFixed(fixedProject, "FGradient");

        // The caller's gradient goes through the helper's: d(x² + x)/dx = 2x + 1.
        var (output, _) = await Generate(fixedProject);
        Assert.Contains(output.SyntaxTrees, t => t.ToString().Contains("SqGradient", StringComparison.Ordinal));
    }

    [Fact] // fixed; was: the advice asked whether the helper had syntax anywhere, not in this compilation
    public async Task SG0015_ForAHelperOfAnotherProjectSaysToMarkIt()
    {
        Diagnostic diagnostic = await Single(TwoProjects([SqHelper], SqCaller), "SG0015");
        Assert.Contains("mark it [Differentiable] in its own project", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SG0015_NoFixForAMethodWhoseSourceIsNotInTheSolution()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x) => Math.ReciprocalEstimate(x) * x;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0015");
        Assert.Empty(await Fixes(new MarkDifferentiableCodeFixProvider(), project, diagnostic));
    }
}
