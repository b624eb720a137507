using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Emit;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Lowering;
using SymbolicGrad.Generator.Models;
using SymbolicGrad.Generator.Reverse;

namespace SymbolicGrad.Generator.Discovery;

/// <summary>
/// One [Differentiable] method in, one <see cref="MethodResult"/> out: validate the declaration, lower the body,
/// build the sweeps, emit the file. Returns only strings and diagnostic values; never throws.
/// </summary>
internal static class MethodAnalyzer
{
    public static MethodResult Run(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax syntax)
        {
            return new MethodResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            var file = Analyze(context.SemanticModel, method, syntax, diagnostics, cancellationToken);
            return new MethodResult(diagnostics.Count == 0 ? file : null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation(), method.Name, ex.GetType().Name + ": " + ex.Message));
            return new MethodResult(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }
    }

    private static GeneratedFile? Analyze(SemanticModel model, IMethodSymbol method, MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        Validate(method, syntax, diagnostics);
        if (diagnostics.Count > 0)
        {
            return null;
        }

        // Code that does not compile is the compiler's to report; generate nothing until it does.
        if (model.GetDiagnostics(syntax.Span, ct).Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return null;
        }

        var operation = model.GetOperation(syntax, ct);
        if (operation is null)
        {
            return null;
        }

        var vars = new VarFactory();
        var lowerer = new Lowerer(method, vars, diagnostics, ct);
        var body = lowerer.Lower(operation, MethodFacts.IsDifferentiableParameter);
        if (diagnostics.Count > 0)
        {
            return null;
        }

        var returnType = Lowerer.TypeOf(method.ReturnType);
        var builder = new GradientBuilder(vars, lowerer.Parameters, returnType, method.Name, lowerer.HasExitFlag ? lowerer.ExitFlag : null);
        var code = builder.Build(body, p => MethodFacts.OutputName(p.Name));
        Cleanup.Run(code, builder.ValueVar, (name, type) => vars.New(name, type, VarRole.Internal));

        var names = new NameAllocator();
        foreach (var p in lowerer.Parameters)
        {
            p.FinalName = p.Name;
            names.Reserve(p.Name);
            names.Reserve(MethodFacts.OutputName(p.Name));
        }

        Naming.Assign(code, names);
        var remarks = Remarks.Describe(builder, method.Name);
        var m = Model(method, syntax);
        string text = MethodEmitter.Emit(m, code, remarks, lowerer.HasThrow);
        return new GeneratedFile(HintName(method), text);
    }

    private static void Validate(IMethodSymbol method, MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics)
    {
        foreach (var type in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, type.Identifier.GetLocation(), type.Identifier.Text, method.Name));
            }
        }

        if (!MethodFacts.IsReal(method.ReturnType))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name,
                method.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)));
        }

        if (method.IsAsync)
        {
            var token = syntax.Modifiers.First(m => m.IsKind(SyntaxKind.AsyncKeyword));
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AsyncMethod, token.GetLocation(), method.Name));
        }

        foreach (var p in syntax.ParameterList.Parameters)
        {
            var modifier = p.Modifiers.FirstOrDefault(t => t.IsKind(SyntaxKind.RefKeyword) || t.IsKind(SyntaxKind.OutKeyword) || t.IsKind(SyntaxKind.InKeyword));
            if (modifier != default)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RefParameter, p.GetLocation(), p.Identifier.Text, modifier.Text));
            }
        }

        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoBody, syntax.Identifier.GetLocation(), method.Name));
        }

        if (method.IsGenericMethod && method.TypeParameters.Any(tp => !MethodFacts.IsGenericReal(tp)))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, syntax.TypeParameterList?.GetLocation() ?? syntax.Identifier.GetLocation(),
                "A type parameter that is not constrained to IFloatingPointIeee754<T>", "constrain each type parameter with 'where T : IFloatingPointIeee754<T>' (generic math), or write the method for double"));
        }

        foreach (var p in method.Parameters)
        {
            if (MethodFacts.HoldsNestedReals(p.Type) && !MethodFacts.HasAttribute(p, MethodFacts.NoDerivativeAttribute))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault() ?? syntax.Identifier.GetLocation(),
                    "Differentiating a parameter of type '" + p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "' (" + p.Name + ")",
                    "only double, float, T and one-dimensional arrays and spans of them get gradients: mark it [NoDerivative] if it is data, or pass the values as one flat array"));
            }

            if (!MethodFacts.IsDifferentiableParameter(p))
            {
                continue;
            }

            string output = MethodFacts.OutputName(p.Name);
            var clash = method.Parameters.FirstOrDefault(q => q.Name == output);
            if (clash is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OutputNameCollision, clash.Locations.FirstOrDefault(), p.Name, output));
            }
        }
    }

    private static MethodModel Model(IMethodSymbol method, MethodDeclarationSyntax syntax)
    {
        var m = new MethodModel
        {
            Name = method.Name,
            IsStatic = method.IsStatic,
            ReturnType = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Accessibility = method.DeclaredAccessibility switch
            {
                Accessibility.Public => "public",
                Accessibility.Internal => "internal",
                Accessibility.Protected => "protected",
                Accessibility.ProtectedOrInternal => "protected internal",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => "private",
            },
            Namespace = method.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            Display = method.ContainingType.Name + "." + method.Name + "(" + string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat))) + ")",
        };

        var types = new List<INamedTypeSymbol>();
        for (var t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            types.Insert(0, t);
        }

        foreach (var t in types)
        {
            string kind = t.IsRecord ? (t.TypeKind == TypeKind.Struct ? "record struct" : "record") : t.TypeKind switch
            {
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ => "class",
            };
            string modifiers = (t.IsStatic ? "static " : string.Empty) + (t.IsReadOnly && t.TypeKind == TypeKind.Struct ? "readonly " : string.Empty) + (t.IsRefLikeType ? "ref " : string.Empty);
            string typeParameters = t.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">";
            m.Containers.Add(modifiers + "partial " + kind + " " + Lowerer.EscapeIdentifier(t.Name) + typeParameters);
        }

        foreach (var tp in method.TypeParameters)
        {
            m.TypeParameters.Add(tp.Name);
            var clauses = new List<string>();
            if (tp.HasUnmanagedTypeConstraint)
            {
                clauses.Add("unmanaged");
            }
            else if (tp.HasValueTypeConstraint)
            {
                clauses.Add("struct");
            }
            else if (tp.HasReferenceTypeConstraint)
            {
                clauses.Add("class");
            }
            else if (tp.HasNotNullConstraint)
            {
                clauses.Add("notnull");
            }

            clauses.AddRange(tp.ConstraintTypes.Select(c => c.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
            if (tp.HasConstructorConstraint)
            {
                clauses.Add("new()");
            }

            if (clauses.Count > 0)
            {
                m.Constraints.Add("where " + tp.Name + " : " + string.Join(", ", clauses));
            }
        }

        foreach (var p in method.Parameters)
        {
            m.Parameters.Add(new ParameterModel(
                Lowerer.EscapeIdentifier(p.Name),
                p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                MethodFacts.IsDifferentiableParameter(p),
                MethodFacts.OutputName(p.Name),
                p.Type.IsRefLikeType,
                method.IsExtensionMethod && p.Ordinal == 0,
                p.Type.SpecialType == SpecialType.System_Single,
                MethodFacts.RealArrayElement(p.Type) is { } element ? element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null));
        }

        // The user's usings, for code copied as written (throw statements).
        if (syntax.SyntaxTree.GetRoot() is CompilationUnitSyntax unit)
        {
            m.Usings.AddRange(unit.Usings.Where(u => u.GlobalKeyword.IsKind(SyntaxKind.None)).Select(u => u.ToString()));
        }

        foreach (var declaration in syntax.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse())
        {
            m.NamespaceUsings.AddRange(declaration.Usings.Select(u => u.ToString()));
        }

        return m;
    }

    private static string HintName(IMethodSymbol method)
    {
        string type = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty);
        string parameters = string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString()));
        string raw = type + "." + method.Name + "(" + parameters + ")";
        var chars = raw.Select(c => char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_').ToArray();
        return new string(chars) + ".g.cs";
    }
}
