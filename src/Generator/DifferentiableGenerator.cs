using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicGrad.Generator.Discovery;

namespace SymbolicGrad.Generator;

/// <summary>
/// The incremental pipeline, and nothing else: find [Differentiable] methods, analyse each one into a
/// value (<see cref="Models.MethodResult"/>), then split files from diagnostics so that each caches on its own.
/// The stages live in folders: Discovery, Lowering (IOperation → IR), Rules, Reverse (the sweeps), Emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (asserted by the incrementality tests).</summary>
    public static class Steps
    {
        public const string Analyze = "Analyze";
        public const string Files = "Files";
        public const string Diagnostics = "Diagnostics";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider.ForAttributeWithMetadataName(
                MethodFacts.DifferentiableAttribute,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (ctx, ct) => MethodAnalyzer.Run(ctx, ct))
            .WithTrackingName(Steps.Analyze);

        var files = results.Select(static (r, _) => r.File).WithTrackingName(Steps.Files);
        var diagnostics = results.Select(static (r, _) => r.Diagnostics).WithTrackingName(Steps.Diagnostics);

        context.RegisterSourceOutput(files, static (spc, file) =>
        {
            if (file is not null)
            {
                spc.AddSource(file.HintName, file.Text);
            }
        });

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list)
            {
                spc.ReportDiagnostic(d.ToDiagnostic());
            }
        });
    }
}
