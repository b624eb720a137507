using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// The semantic models the generator reads method bodies through: one per syntax tree of a compilation, without
/// nullable analysis.
/// </summary>
/// <remarks>
/// <para>The generator reads a body as operations and never asks for nullable flow state. In a project with
/// <c>&lt;Nullable&gt;enable&lt;/Nullable&gt;</c> (every new project), the default model runs the nullable walker over a
/// body before it hands out a single operation, and that walk costs as much as binding: measured on a 10,000-term sum,
/// <c>GetOperation</c> took 0.74 s with it and 0.30 s without; on 200 typical methods, 88 ms and 47 ms. The compiler
/// still runs it when it compiles the user's code and reports its warnings there.</para>
/// <para><see cref="SemanticModelOptions.DisableNullableAnalysis"/> is marked experimental (RSEXPERIMENTAL001). It is in
/// every compiler this generator loads in (Roslyn 4.14 to 5.x); should a later one remove it, the call below fails to
/// bind, and the generator falls back to the default model (slower, same result) instead of failing.</para>
/// <para>One model per tree, shared by every method of the compilation: a helper inlined into many callers is bound
/// once. The table lets the models go with their compilation.</para>
/// </remarks>
internal static class BodyModels
{
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<SyntaxTree, SemanticModel>> Models = new();
    private static volatile bool _unavailable;

    /// <summary>The body model for <paramref name="tree"/> (a tree of <paramref name="compilation"/>).</summary>
    public static SemanticModel For(Compilation compilation, SyntaxTree tree)
    {
        var models = Models.GetValue(compilation, _ => new ConcurrentDictionary<SyntaxTree, SemanticModel>());
        return models.GetOrAdd(tree, t => Create(compilation, t));
    }

    private static SemanticModel Create(Compilation compilation, SyntaxTree tree)
    {
        if (!_unavailable)
        {
            try
            {
                return WithoutNullableAnalysis(compilation, tree);
            }
            catch (Exception e) when (e is MissingMethodException or MissingFieldException or TypeLoadException)
            {
                _unavailable = true;
            }
        }

#pragma warning disable RS1030 // The bodies read (the method's and its helpers') live in trees of this compilation.
        return compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SemanticModel WithoutNullableAnalysis(Compilation compilation, SyntaxTree tree)
    {
#pragma warning disable RSEXPERIMENTAL001, RS1030
        return compilation.GetSemanticModel(tree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001, RS1030
    }
}
