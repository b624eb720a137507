using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace SymbolicGrad.Generator.Tests.Diagnostics;

/// <summary>
/// Another project, as the compiler sees it from a project that references it: an assembly built with the generator,
/// referenced as metadata (no source). Its <c>[Differentiable]</c> methods are called through their generated
/// gradients; its plain helpers have no visible body.
/// </summary>
public static class CompiledLibrary
{
    public const string Source = """
        using System;
        using SymbolicGrad;

        namespace Lib;

        public static partial class Compiled
        {
            /// <summary>A [Differentiable] method with a data parameter: a caller may not pass a differentiated value to b.</summary>
            [Differentiable]
            public static double Scale(double a, [NoDerivative] double b) => a * b;

            /// <summary>A [Differentiable] method of two reals.</summary>
            [Differentiable]
            public static double Product(double a, double b) => a * b + Math.Sin(a);

            /// <summary>A [Differentiable] method of a matrix: its gradient has a double[,] output.</summary>
            [Differentiable]
            public static double Frobenius(double[,] a)
            {
                double s = 0;
                foreach (double v in a) s += v * v;
                return s;
            }

            /// <summary>A plain helper: compiled, no attribute, no derivative known to a caller in another assembly.</summary>
            public static double Plain(double v) => v * v;
        }
        """;

    private static readonly Lazy<byte[]> LazyImage = new(Build);

    /// <summary>The library as a metadata reference (what a ProjectReference gives the compiler).</summary>
    public static MetadataReference Reference => MetadataReference.CreateFromImage(LazyImage.Value);

    /// <summary>Loads the library into the context that asks for it, for compiled test assemblies that call it.</summary>
    public static System.Reflection.Assembly? Resolve(System.Runtime.Loader.AssemblyLoadContext context, System.Reflection.AssemblyName name) =>
        name.Name == "SymbolicGrad.TestLibrary" ? context.LoadFromStream(new MemoryStream(LazyImage.Value)) : null;

    private static byte[] Build()
    {
        var compilation = CSharpCompilation.Create(
            "SymbolicGrad.TestLibrary",
            new[] { CSharpSyntaxTree.ParseText(SourceText.From(Source, System.Text.Encoding.UTF8), Harness.ParseOptions, path: "Library.cs") },
            Harness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var run = Harness.Run(compilation);
        if (!run.GeneratorDiagnostics.IsEmpty)
        {
            throw new InvalidOperationException("the library's methods are supported: " + string.Join("\n", run.GeneratorDiagnostics));
        }

        using var stream = new MemoryStream();
        var emit = run.Output.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException("the library does not compile:\n" + string.Join("\n", emit.Diagnostics));
        }

        return stream.ToArray();
    }
}
