using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Emit;
using SymbolicGrad.Generator.Frontend;
using SymbolicGrad.Generator.Models;
using SymbolicGrad.Generator.Transforms;

namespace SymbolicGrad.Generator;

/// <summary>
/// The incremental pipeline, and nothing else. A key of text (Frontend/MethodKey: the method, the bodies it inlines,
/// the declarations) is built for every method whenever Roslyn asks; the front end (Frontend/: validate, lower, check
/// activity) runs for a method when its key changed and returns a value compared by its canonical text; the back end (Transforms/,
/// Optimize/, Emit/: the sweeps, the optimizations, the C#) runs only when that value changed. Files and diagnostics
/// are split so that each caches on its own.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (asserted by the incrementality tests).</summary>
    public static class Steps
    {
        public const string Key = "Key";
        public const string Lower = "Lower";
        public const string Generate = "Generate";
        public const string Files = "Files";
        public const string Diagnostics = "Diagnostics";
        public const string BackendDiagnostics = "BackendDiagnostics";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Roslyn re-runs the transform for every [Differentiable] method of the project on every edit: it only builds
        // a key from text (MethodKey), and the front end runs for the methods whose key changed.
        var keys = context.SyntaxProvider.ForAttributeWithMetadataName(
                Discovery.DifferentiableAttribute,
                predicate: static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax
                    or OperatorDeclarationSyntax or ConversionOperatorDeclarationSyntax or LambdaExpressionSyntax,
                transform: static (ctx, ct) => MethodKey.Create(ctx, ct))
            .WithTrackingName(Steps.Key);
        var units = keys.Select(static (key, ct) => Discovery.Run(key, ct)).WithTrackingName(Steps.Lower);

        var generated = units.Select(static (unit, ct) => Generate(unit, ct)).WithTrackingName(Steps.Generate);
        var files = generated.Select(static (g, _) => g.File).WithTrackingName(Steps.Files);
        var diagnostics = units.Select(static (u, _) => u.Diagnostics).WithTrackingName(Steps.Diagnostics);
        var backendDiagnostics = generated.Select(static (g, _) => g.Diagnostics).WithTrackingName(Steps.BackendDiagnostics);

        context.RegisterSourceOutput(files.Collect(), static (spc, all) =>
        {
            // Hint names are unique by construction (type, method, hash of the signature); should two still meet
            // (case-only differences on a case-insensitive file system), the later one gets a counter. One output over
            // all files: writing each file on its own output (a Combine with a table of renames) was measured slower
            // in the driver (25 to 65 ms more per run of 200 files), though it left the unchanged files' outputs Cached.
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in all.Where(f => f is not null).OrderBy(f => f!.HintName, StringComparer.Ordinal).ThenBy(f => f!.Text, StringComparer.Ordinal))
            {
                string name = file!.HintName;
                for (int i = 2; !used.Add(name); i++)
                {
                    name = file.HintName.Substring(0, file.HintName.Length - ".g.cs".Length) + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
                }

                spc.AddSource(name, file.Text);
            }
        });

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list)
            {
                spc.ReportDiagnostic(d.ToDiagnostic());
            }
        });

        context.RegisterSourceOutput(backendDiagnostics, static (spc, list) =>
        {
            foreach (var d in list)
            {
                spc.ReportDiagnostic(d.ToDiagnostic());
            }
        });
    }

    private static Generation Generate(MethodUnit unit, CancellationToken ct)
    {
        if (unit.Model is null || unit.Ir is null)
        {
            return new Generation(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var model = unit.Model;
        try
        {
            var text = MethodWriter.WriteFile(model, unit.Ir, ct);
            return new Generation(new GeneratedFile(model.HintName, text), EquatableArray<DiagnosticInfo>.Empty);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Emit.TooManyLocalsException ex)
        {
            Frontend.DependencyTable.Record(model.TableId, Array.Empty<string>(), positions: true);
            return new Generation(null, new EquatableArray<DiagnosticInfo>(new[]
            {
                model.Anchor(DiagnosticDescriptors.TooComplex, model.Stem,
                    "its generated code would declare " + ex.Locals.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + " local variables in one method, more than C# allows (65,534; Hessian = true needs about three times as many as the gradient)"),
            }));
        }
        catch (UnsupportedException ex)
        {
            Frontend.DependencyTable.Record(model.TableId, Array.Empty<string>(), positions: true);
            var diagnostic = ex.At is { FilePath.Length: > 0 } at
                ? at with { Id = DiagnosticDescriptors.NotSupportedYet.Id, Arguments = new EquatableArray<string>(new[] { ex.What, ex.Advice }) }
                : model.Anchor(DiagnosticDescriptors.NotSupportedYet, ex.What, ex.Advice);
            return new Generation(null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));
        }
        catch (Exception ex)
        {
            Frontend.DependencyTable.Record(model.TableId, Array.Empty<string>(), positions: true);
            return new Generation(null, new EquatableArray<DiagnosticInfo>(new[] { model.Anchor(DiagnosticDescriptors.InternalError, model.Stem, ex.GetType().Name + ": " + ex.Message + FirstFrame(ex)) }));
        }
    }

    /// <summary>The innermost frame of an internal failure, enough to find it in a bug report without flooding the error list.</summary>
    private static string FirstFrame(Exception ex)
    {
        string? trace = ex.StackTrace;
        if (string.IsNullOrEmpty(trace)) return string.Empty;
        string first = trace!.Split('\n')[0].Trim();
        return " (" + first + ")";
    }

    private sealed record Generation(GeneratedFile? File, EquatableArray<DiagnosticInfo> Diagnostics);
}
