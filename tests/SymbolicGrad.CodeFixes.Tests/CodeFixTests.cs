using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using static SymbolicGrad.CodeFixes.Tests.Workbench;

namespace SymbolicGrad.CodeFixes.Tests;

/// <summary>
/// Each code fix: the generator reports the diagnostic, the fix is applied through the Workspaces API, and the fixed
/// project compiles with the generator, without that diagnostic (and without any error), with the gradient generated.
/// The expected texts are written by hand: they are what a user should see after the fix.
/// </summary>
public sealed class CodeFixTests
{
    private static async Task<Diagnostic> Single(Project project, string id, DiagnosticAnalyzer? analyzer = null)
    {
        var problems = await Problems(project, analyzer);
        return Assert.Single(problems, d => d.Id == id);
    }

    private static async Task AssertFixed(Project project, string generatedMethod, DiagnosticAnalyzer? analyzer = null)
    {
        var problems = await Problems(project, analyzer);
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

    // SG0006 at a jagged or rectangular parameter: mark it [NoDerivative].

    [Fact]
    public async Task SG0006_MarksAJaggedParameterNoDerivative()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x, double[][] rows) => x * rows[0][0];
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0006");
        Project fixedProject = await ApplyOnly(new AddNoDerivativeCodeFixProvider(), project, diagnostic, "Mark 'rows' [NoDerivative] (data, not differentiated)");
        Assert.Contains("public static double F(double x, [NoDerivative] double[][] rows) => x * rows[0][0];", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient(double x, double[][] rows, out double dX)");
    }

    [Fact]
    public async Task SG0006_TheAttributeIsQualifiedWhenSymbolicGradIsNotImported()
    {
        Project project = Project("""
            public static partial class Losses
            {
                [SymbolicGrad.Differentiable]
                public static double F(double x, double[,] grid) => x * grid[0, 0];
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0006");
        Project fixedProject = await ApplyOnly(new AddNoDerivativeCodeFixProvider(), project, diagnostic, "Mark 'grid' [NoDerivative] (data, not differentiated)");
        Assert.Contains("F(double x, [SymbolicGrad.NoDerivative] double[,] grid)", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient");
    }

    [Fact]
    public async Task SG0006_FixAllMarksEveryParameterOfTheDocument()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable] public static double F(double x, double[][] rows, double[,] grid) => x * rows[0][0] * grid[0, 0];
                [Differentiable] public static double G(double x, double[][] more) => x * more[1][0];
            }
            """);
        var diagnostics = (await Problems(project)).Where(d => d.Id == "SG0006").ToImmutableArray();
        Assert.Equal(3, diagnostics.Length);
        Project fixedProject = await FixAllInDocument(new AddNoDerivativeCodeFixProvider(), project, diagnostics, "SymbolicGrad.AddNoDerivative");
        string text = await Text(fixedProject, "File0.cs");
        Assert.Contains("F(double x, [NoDerivative] double[][] rows, [NoDerivative] double[,] grid)", text, StringComparison.Ordinal);
        Assert.Contains("G(double x, [NoDerivative] double[][] more)", text, StringComparison.Ordinal);
        await AssertFixed(fixedProject, "GGradient");
    }

    [Fact]
    public async Task SG0006_NoFixWhereNoDerivativeWouldNotHelp()
    {
        // SG0006 for something other than a parameter (here: an array created inside a loop, not supported yet).
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x)
                {
                    double s = 0;
                    for (int i = 0; i < 3; i++) { var h = new double[2]; h[0] = x; s += h[0]; }
                    return s;
                }
            }
            """);
        var problems = await Problems(project);
        Diagnostic diagnostic = problems.First(d => d.Id == "SG0006");
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

    // SG0030 (proposed for the generator's rewrite): a member already has a generated member's name.

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
        var analyzer = new GeneratedNameCollisionAnalyzer();
        // Today the collision is a compiler error in the generated file; the new generator reports SG0030 instead.
        Assert.Contains(await Problems(project), d => d.Id == "CS0111");
        Diagnostic diagnostic = await Single(project, "SG0030", analyzer);
        Project fixedProject = await ApplyOnly(new RenameCodeFixProvider(), project, diagnostic, "Rename 'FGradient' to 'FGradientHandWritten'");
        Assert.Contains("public static double FGradientHandWritten(double x, out double dX)", await Text(fixedProject, "File0.cs"), StringComparison.Ordinal);
        Assert.Contains("Losses.FGradientHandWritten(x, out double d)", await Text(fixedProject, "File1.cs"), StringComparison.Ordinal);
        await AssertFixed(fixedProject, "FGradient", analyzer);
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
        var analyzer = new GeneratedNameCollisionAnalyzer();
        Diagnostic diagnostic = await Single(project, "SG0030", analyzer);
        Project fixedProject = await ApplyOnly(new RenameCodeFixProvider(), project, diagnostic, "Rename 'LossObjective' to 'LossObjectiveHandWritten2'");
        await AssertFixed(fixedProject, "LossGradient", analyzer);
    }

    // SG0015: a call to a helper with no known derivative.

    [Fact]
    public async Task SG0015_MarksTheHelperDifferentiableAndItsTypePartial()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x) => Helpers.Sq(x) + x;
            }
            """, """
            public static class Helpers
            {
                /// <summary>x².</summary>
                public static double Sq(double v) => v * v;
            }
            """);
        Diagnostic diagnostic = await Single(project, "SG0015");
        Project fixedProject = await ApplyOnly(new MarkDifferentiableCodeFixProvider(), project, diagnostic, "Mark 'Sq' [Differentiable]");
        Assert.Equal("""
            public static partial class Helpers
            {
                /// <summary>x².</summary>
                [SymbolicGrad.Differentiable]
                public static double Sq(double v) => v * v;
            }
            """, await Text(fixedProject, "File1.cs"));
        await AssertFixed(fixedProject, "SqGradient");
    }

    [Fact]
    public async Task SG0015_NoFixForAMethodWhoseSourceIsNotInTheSolution()
    {
        Project project = Project(Usings + """
            public static partial class Losses
            {
                [Differentiable]
                public static double F(double x) => Math.BitDecrement(x) * x;
            }
            """);
        var problems = await Problems(project);
        Diagnostic diagnostic = Assert.Single(problems, d => d.Id == "SG0015");
        Assert.Empty(await Fixes(new MarkDifferentiableCodeFixProvider(), project, diagnostic));
    }
}

/// <summary>
/// Stands in for the rewritten generator's SG0030 until it exists: a member declared by the user whose name is
/// <c>NameGradient</c> or <c>NameObjective</c> for a <c>[Differentiable]</c> method <c>Name</c> of the same type,
/// reported at that member's name.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class GeneratedNameCollisionAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Descriptor = new(
        "SG0030", "A member already has a generated member's name", "'{0}' is the name of a member the generator writes for '{1}'; rename it",
        "SymbolicGrad", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptor];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>()
                     .Where(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "SymbolicGrad.DifferentiableAttribute")))
        {
            foreach (ISymbol member in type.GetMembers().Where(m => m.Name == method.Name + "Gradient" || m.Name == method.Name + "Objective"))
            {
                bool generated = member.GetAttributes().Any(a => a.AttributeClass?.Name == "GeneratedCodeAttribute");
                if (!generated && !member.IsImplicitlyDeclared && member.Locations.FirstOrDefault() is { IsInSource: true } location)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptor, location, member.Name, method.Name));
                }
            }
        }
    }
}
