using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace SymbolicGrad.Generator.Models;

/// <summary>
/// A diagnostic as a value: the descriptor's id, the location's parts and the message arguments. Holds no
/// syntax tree, so the pipeline can cache it; turned into a <see cref="Diagnostic"/> only at output.
/// </summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        location ??= Location.None;
        var lineSpan = location.GetLineSpan();
        return new DiagnosticInfo(descriptor.Id, lineSpan.Path ?? string.Empty, location.SourceSpan, lineSpan.Span, new EquatableArray<string>(arguments));
    }

    public Diagnostic ToDiagnostic()
    {
        var descriptor = Diagnostics.DiagnosticDescriptors.ById(Id);
        var location = FilePath.Length == 0 ? Location.None : Location.Create(FilePath, Span, LineSpan);
        return Diagnostic.Create(descriptor, location, Arguments.Select(a => (object)a).ToArray());
    }
}

/// <summary>One generated source file.</summary>
internal sealed record GeneratedFile(string HintName, string Text);

