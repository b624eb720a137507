using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>Fields, properties, elements, arrays, and the structs and tuples desugaring takes apart.</summary>
internal sealed partial class Lowerer
{
    private Func<IFieldSymbol, FValue?>? _trainable;

    // ---------------------------------------------------------------------------------------------------------
    // Fields and properties

    private FValue LowerFieldRead(IFieldReferenceOperation f)
    {
        var field = f.Field;
        if (f.Instance is { } instance && (IsStructType(instance.Type) || TypeMap.IsTuple(Concrete(instance.Type!))))
        {
            var owner = LowerExpr(instance);
            switch (owner)
            {
                case StructValue sv:
                    int i = sv.IndexOf(field);
                    return i >= 0 ? sv.Values[i] : Unsupported(f, "this field", "read the struct's instance fields");
                case TupleValue tv:
                    int k = TupleIndex(field, tv.Items.Length);
                    return k >= 0 ? tv.Items[k] : Unsupported(f, "this tuple element", "read Item1, Item2... or the element names");
                case Scalar { Operand: Poison } p:
                    return p;
                case Scalar { Operand: var data }:
                    // this of the struct that declares the [Differentiable] method, or of a data struct's member
                    // inlined on it (p.Norm of an element of a [NoDerivative] array): data.
                    return DataMember(f, instance, field, field.Type, pure: true, data);
            }

            return Unsupported(f, "a field of this value", "read fields of struct locals and parameters");
        }

        if (!_entry.IsStatic && !field.IsStatic && (_trainable is null || _trainable(field) is null) && Attribute(field, "SymbolicGrad.TrainableAttribute") is not null)
        {
            // A layer object the model holds (public Layer L1; ... L1.Forward(x)): its [Trainable] members are not
            // this model's, so they would be read as constants and never trained, silently (red-team J).
            return Unsupported(f, "the [Trainable] member '" + field.Name + "' of '" + field.ContainingType.Name + "', read through an object the model holds",
                "only the [Trainable] members of the model whose method is [Differentiable] are differentiated: declare the weights on the model itself (a [Trainable] double[] W1 the layer code reads), or remove [Trainable] if they are fixed data");
        }

        if (_trainable is not null && !field.IsStatic && _trainable(field) is { } trainedField)
        {
            _ambiguousReceiver = null;
            if (IsEntryReceiver(f.Instance))
            {
                return trainedField;
            }

            if (AmbiguousTrainableRead(f, field) is { } refused)
            {
                return refused;
            }

            GuardNotThis(f.Instance, field);
        }

        if (field.IsConst && field.HasConstantValue)
        {
            return new Scalar(Constant(field.ConstantValue, Concrete(field.Type)));
        }

        NoteDataMemory(field, field.Type, f.Instance);
        GuardModelField(field, field.Type, f.Instance);

        if (!Accessible(field) && ReadOnlyConstant(field) is { } fixedValue)
        {
            // A helper class's private static readonly double Alpha = 0.01;: the generated code cannot name it, but
            // its value is the constant it is initialized with (nothing else may assign it).
            return new Scalar(Constant(fixedValue, Concrete(field.Type)));
        }

        return DataMember(f, f.Instance, field, field.Type, pure: true);
    }

    /// <summary>
    /// How the generated gradient (an instance member of the model) reads an inherited instance member: through a cast to
    /// the declaring class, ((Base)this), which reads the base's member even where the model hides it; or, for a
    /// protected member, which a cast cannot reach (CS1540), base, when the name from the base class is that member and
    /// it is not virtual. Null when neither reads it.
    /// </summary>
    private string? InheritedThisPrefix(ISymbol member, INamedTypeSymbol declaring)
    {
        bool protectedOnly = member.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal
            || (member.DeclaredAccessibility == Accessibility.ProtectedOrInternal && !SymbolEqualityComparer.Default.Equals(member.ContainingAssembly, _compilation.Assembly));
        if (!protectedOnly)
        {
            return "((" + Concrete(declaring).ToDisplayString(TypeMap.Qualified) + ")this)";
        }

        if (member.IsVirtual || member.IsOverride || member.IsAbstract)
        {
            return null;
        }

        for (var t = _entry.ContainingType.BaseType; t is not null; t = t.BaseType)
        {
            var named = t.GetMembers(member.Name);
            if (named.Length > 0)
            {
                return named.Any(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, member.OriginalDefinition)) ? "base" : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the body of <paramref name="method"/> names a member the generated code (in the [Differentiable] method's
    /// class) cannot read: a private static table of another class behind a public accessor.
    /// </summary>
    private bool ReadsInaccessibleMembers(IMethodSymbol method)
    {
        var def = method.OriginalDefinition.PartialImplementationPart ?? method.OriginalDefinition;
        foreach (var reference in def.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(_ct);
            if (ModelFor(syntax.SyntaxTree) is not { } model)
            {
                continue;
            }

            foreach (var name in syntax.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                if (model.GetSymbolInfo(name, _ct).Symbol is { Kind: SymbolKind.Field or SymbolKind.Property or SymbolKind.Method } symbol
                    && symbol.ContainingType is not null && !Accessible(symbol))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private FValue LowerPropertyRead(IPropertyReferenceOperation pr)
    {
        var property = pr.Property;
        if (property.ContainingType is { IsAnonymousType: true } anonymousType)
        {
            // p.X of an anonymous object, or of the object a query's 'let' or second 'from' made: the value it was made with.
            int index = pr.Instance is null ? -1 : AnonymousPropertyIndex(AnonymousProperties(anonymousType), property);
            var owner = index < 0 ? null : LowerExpr(pr.Instance!);
            if (owner is TupleValue anonymousValue && index < anonymousValue.Items.Length)
            {
                return anonymousValue.Items[index];
            }

            if (owner is Scalar { Operand: Poison })
            {
                return new Scalar(Poison.Of(IrTypeOrData(pr.Type)));
            }

            return Unsupported(pr, "this member of an anonymous object made outside the method", "pass the numbers in as parameters");
        }

        if (pr.Instance is not null && (IsList(property.ContainingType) || IsReadOnlyListView(property.ContainingType)) && LowerListProperty(pr) is { } listValue)
        {
            return listValue;
        }

        if (GenericConstant(pr) is { } constant)
        {
            return constant;
        }

        if (property.IsStatic && (property.IsAbstract || property.IsVirtual) && property.ContainingType is { TypeKind: TypeKind.Interface } && !IsGenericMathMember(property))
        {
            // T.Scale of a static abstract or virtual interface property: the type argument is known where the generic
            // helper is inlined, and so is the getter that runs (the interface's default when the type has none).
            if (pr.ConstrainedToType is { } constrainedTo && Concrete(constrainedTo) is INamedTypeSymbol { TypeKind: not TypeKind.TypeParameter } concrete
                && StaticImplementation(concrete, property) is IPropertySymbol { GetMethod: { } implGetter } && HasSource(implGetter))
            {
                return InlineCall(pr, implGetter, null, Array.Empty<FValue?>(), Array.Empty<RefValue?>());
            }

            return Unsupported(pr, "a static abstract or virtual interface property whose implementation is not known here",
                "call the helper with a concrete type argument, or pass the value as a parameter");
        }

        var instanceType = pr.Instance?.Type is null ? null : Concrete(pr.Instance.Type);
        if (property.ContainingType is { IsExtension: true } && property.GetMethod is { } extensionGetter && HasSource(extensionGetter))
        {
            // A C# 14 extension property (extension(double v) { public double Cube => v * v * v; }): its getter inlined
            // with the receiver as the block's parameter.
            var extensionReceiver = pr.Instance is null ? null : LowerExpr(pr.Instance);
            return InlineCall(pr, extensionGetter, extensionReceiver, ArgumentsOf(pr.Arguments, extensionGetter), new RefValue?[extensionGetter.Parameters.Length]);
        }

        if (ModelMemberThroughDispatch(pr, property) is { } dispatched)
        {
            return dispatched;
        }

        if (property.IsIndexer)
        {
            if (instanceType is not null && TypeMap.IsSpan(instanceType))
            {
                var span = LowerScalar(pr.Instance!);
                var index = pr.Arguments.Select(a => LowerIndex(a.Value)).ToArray();
                return new Scalar(Load(span, index, pr));
            }

            if (pr.Instance is { } indexed && IsStructType(instanceType) && property.GetMethod is { } indexGetter && HasSource(indexGetter)
                && !indexGetter.IsVirtual && !indexGetter.IsAbstract && !indexGetter.IsOverride)
            {
                // An indexer of a struct (this[int i] => i == 0 ? X : Y): its getter inlined like a method.
                var receiver = ReceiverFor(indexed, indexGetter);
                return InlineCall(pr, indexGetter, receiver, ArgumentsOf(pr.Arguments, indexGetter), new RefValue?[indexGetter.Parameters.Length]);
            }

            return DataIndexer(pr);
        }

        if (instanceType is not null && (TypeMap.VectorElement(instanceType) is not null || instanceType is IArrayTypeSymbol))
        {
            switch (property.Name)
            {
                case "Length":
                    var lowered = LowerExpr(pr.Instance!);
                    var measured = lowered is TupleArrayValue tuples ? FirstComponent(tuples.Components) : ScalarOf(lowered, pr.Instance!);
                    return new Scalar(Emit(Opcode.Length, IrType.Int32, new[] { measured }, source: SourceText(pr.Syntax)));
                case "LongLength":
                    var len = Emit(Opcode.Length, IrType.Int32, new[] { LowerScalar(pr.Instance!) });
                    return new Scalar(Emit(Opcode.Cast, IrType.Int64, new[] { len }));
                case "IsEmpty":
                    var l0 = Emit(Opcode.Length, IrType.Int32, new[] { LowerScalar(pr.Instance!) });
                    return new Scalar(Emit(Opcode.Cmp, IrType.Bool, new[] { l0, Lit.Int(0) }, CmpKind.Eq));
                case "Rank" when instanceType is IArrayTypeSymbol at:
                    return new Scalar(Lit.Int(at.Rank));
            }
        }

        if (instanceType is INamedTypeSymbol { IsGenericType: true, Name: "Memory" or "ReadOnlyMemory", Arity: 1 } memory && property.Name == "Span"
            && memory.ContainingNamespace?.ToDisplayString() == "System")
        {
            // x.AsMemory() of an array is lowered to the array's span view already: its Span is that view (reading
            // .Span of it in the generated code would not compile).
            var owner = LowerScalar(pr.Instance!);
            if (owner.Type.IsArray)
            {
                var form = memory.Name == "ReadOnlyMemory" || owner.Type.Form == ArrayForm.ReadOnlySpan ? ArrayForm.ReadOnlySpan : ArrayForm.Span;
                return new Scalar(Emit(Opcode.Copy, owner.Type.WithForm(form), new[] { owner }, source: SourceText(pr.Syntax)));
            }

            return owner is Poison ? new Scalar(owner) : DataMember(pr, pr.Instance, property, property.Type, pure: true, lowered: owner);
        }

        if (instanceType is not null && TypeMap.IsNullableValue(instanceType, out _))
        {
            var n = LowerExpr(pr.Instance!);
            if (n is NullableValue nv)
            {
                switch (property.Name)
                {
                    case "HasValue":
                        return new Scalar(nv.HasValue);
                    case "Value":
                        ThrowUnless(nv.HasValue, "new global::System.InvalidOperationException(\"Nullable object must have a value.\")");
                        return nv.Value;
                }
            }
        }

        if (pr.Instance is { } instance && IsStructType(instanceType))
        {
            if (AutoGetterField(property) is { } backing)
            {
                var owner = LowerExpr(instance);
                if (owner is StructValue sv && sv.IndexOf(backing) is var i && i >= 0)
                {
                    return sv.Values[i];
                }

                switch (owner)
                {
                    case Scalar { Operand: Poison } p:
                        return p;
                    case Scalar { Operand: var data } when !data.Type.IsReal && !data.Type.IsArray:
                        // A struct read from data (an element of a [NoDerivative] array of record structs): its
                        // auto-property is data too, read from the same value.
                        return DataMember(pr, instance, property, property.Type, pure: true, lowered: data);
                }

                return Unsupported(pr, "this property", "read the property of a struct local, parameter or element of data");
            }

            if (property.GetMethod is { } getter)
            {
                var receiver = ReceiverFor(instance, getter);
                if (receiver is Scalar { Operand: var data } && data is not Poison && !data.Type.IsReal && !data.Type.IsArray && Accessible(property))
                {
                    // A struct that is data as a whole (a [NoDerivative] parameter whose fields are private): its
                    // property is read as the user's code reads it, not inlined into reads of fields the generated code
                    // could not name.
                    return DataMember(pr, instance, property, property.Type, pure: false, lowered: data);
                }

                return InlineCall(pr, getter, receiver, Array.Empty<FValue?>(), Array.Empty<RefValue?>());
            }
        }

        if (!_entry.IsStatic && !property.IsStatic && BackingField(property) is { } heldField && (_trainable is null || _trainable(heldField) is null)
            && Attribute(property, "SymbolicGrad.TrainableAttribute") is not null)
        {
            // As for a field: a [Trainable] property of a layer object the model holds would be a constant here.
            return Unsupported(pr, "the [Trainable] member '" + property.Name + "' of '" + property.ContainingType.Name + "', read through an object the model holds",
                "only the [Trainable] members of the model whose method is [Differentiable] are differentiated: declare the weights on the model itself (a [Trainable] double[] W1 the layer code reads), or remove [Trainable] if they are fixed data");
        }

        if (_trainable is not null && !property.IsStatic && BackingField(property) is { } propertyField && _trainable(propertyField) is { } trained)
        {
            _ambiguousReceiver = null;
            if (IsEntryReceiver(pr.Instance))
            {
                return trained;
            }

            if (AmbiguousTrainableRead(pr, property) is { } refused)
            {
                return refused;
            }

            GuardNotThis(pr.Instance, property);
        }

        if (_trainable is not null && property.GetMethod is { } aliasGetter && !property.IsStatic && pr.Instance is { } aliased and not IInstanceReferenceOperation
            && AutoGetterField(property) is null && HasSource(aliasGetter) && !aliasGetter.IsVirtual && !aliasGetter.IsAbstract && !aliasGetter.IsOverride
            && EntryOrAmbiguousReceiver(aliased, pr, property))
        {
            if (_refusedAmbiguous)
            {
                _refusedAmbiguous = false;
                return new Scalar(Poison.Of(IrTypeOrData(pr.Type)));
            }

            // A computed property of the model read through this passed on (Reg(this) reading m.Norm): inlined on this,
            // as this.Norm is, so that the trainable members it reads are differentiated.
            return InlineCall(pr, aliasGetter, LowerExpr(aliased), Array.Empty<FValue?>(), Array.Empty<RefValue?>());
        }

        if (property.GetMethod is { } computed && AutoGetterField(property) is null && HasSource(computed) && !computed.IsVirtual && !computed.IsAbstract && !computed.IsOverride
            && (pr.Instance is null or IInstanceReferenceOperation) && (computed.IsStatic || Function.This is not null))
        {
            if (computed.IsStatic && Accessible(property) && Accessible(computed) && ReadsInaccessibleMembers(computed))
            {
                // Hyper.Gamma => _gamma of another class, over its private static field: a static property reads no
                // parameter, so its value is data; read as written, through the property the generated code can name.
                return DataMember(pr, null, property, property.Type, pure: false);
            }

            // A computed property of this type (an expression of other members): inline its getter.
            return InlineCall(pr, computed, computed.IsStatic ? null : Function.This, Array.Empty<FValue?>(), Array.Empty<RefValue?>());
        }

        if (BackingField(property) is not null)
        {
            NoteDataMemory(property, property.Type, pr.Instance);
            GuardModelField(property, property.Type, pr.Instance);
        }

        if (_trainable is not null && !property.IsStatic && pr.Instance is { } other && !CarriesNoDerivative(property.Type) && property.GetMethod is { } otherGetter
            && AutoGetterField(property) is null && HasSource(otherGetter) && !otherGetter.IsVirtual && !otherGetter.IsAbstract && !otherGetter.IsOverride
            && other.Type is { IsReferenceType: true } otherType && _compilation.HasImplicitConversion(_entry.ContainingType, otherType) && !IsEntryReceiver(other))
        {
            // other.K, a computed property of another object of the model's type: inlined on it, as other.K() is, so
            // that only a [Trainable] member it reads is checked (guarding the whole property threw for one that reads
            // only data; red-team).
            return InlineCall(pr, otherGetter, LowerExpr(other), Array.Empty<FValue?>(), Array.Empty<RefValue?>());
        }

        if (_trainable is not null && !property.IsStatic && pr.Instance is { } through && !CarriesNoDerivative(property.Type) && !IsEntryReceiver(through))
        {
            // other.KProp, a computed (or virtual) property read as data through another object of the model's type:
            // it may read that object's [Trainable] members, which are this model's when the object is this (red-team:
            // the guard other.K has was missing here).
            GuardNotThis(through, property);
        }

        return DataMember(pr, pr.Instance, property, property.Type, pure: BackingField(property) is not null);
    }

    /// <summary>
    /// A property or indexer of the model read on this, whose getter may read [Trainable] members: a virtual, abstract or
    /// interface one (Scale, ((IHasK)this).Scale, this[i]) runs an override not known at build time, and is SG0020 as a
    /// virtual method is (it was read as data: its derivative dropped, red-team); a sealed override or a non-virtual
    /// indexer with source is inlined. Null for anything else (read as before).
    /// </summary>
    private FValue? ModelMemberThroughDispatch(IPropertyReferenceOperation pr, IPropertySymbol property)
    {
        if (_trainable is null || property.IsStatic || property.GetMethod is not { } getter || CarriesNoDerivative(property.Type) || !IsEntryReceiver(pr.Instance)
            || (AutoGetterField(property) is not null && !(getter.IsVirtual || getter.IsAbstract || getter.IsOverride)))
        {
            return null;
        }

        bool dispatch = (getter.IsVirtual || getter.IsAbstract || getter.IsOverride || property.ContainingType.TypeKind == TypeKind.Interface)
            && !getter.IsSealed && !property.ContainingType.IsSealed;
        var receiver = pr.Instance;
        while (receiver is IConversionOperation { Conversion.IsReference: true } or IConversionOperation { Conversion.IsIdentity: true })
        {
            receiver = ((IConversionOperation)receiver).Operand;
        }

        if (dispatch && receiver?.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.BaseExpressionSyntax)
        {
            // base.Scale: the base's getter, called without dispatch.
            dispatch = false;
        }
        else if (dispatch && _entry.ContainingType.IsSealed && property.ContainingType.TypeKind != TypeKind.Interface && !property.IsAbstract)
        {
            // this of a sealed model: the getter that runs is the last override in its own hierarchy (or the virtual one).
            for (var t = _entry.ContainingType; t is not null; t = t.BaseType)
            {
                var overriding = t.GetMembers(property.Name).OfType<IPropertySymbol>().FirstOrDefault(p => Overrides(p, property));
                if (overriding is not null)
                {
                    property = overriding;
                    getter = overriding.GetMethod ?? getter;
                    break;
                }
            }

            dispatch = false;
        }

        if (dispatch)
        {
            Report(DiagnosticDescriptors.VirtualMethod, LocationOf(pr), property.IsIndexer ? "this[...]" : property.Name,
                "a property of the model read through virtual dispatch here, so the getter that runs (and the [Trainable] members it reads) is not known at build time");
            return new Scalar(Poison.Of(IrTypeOrData(property.Type)));
        }

        if ((property.IsIndexer || getter.IsOverride || getter.IsVirtual) && AutoGetterField(property) is null && HasSource(getter) && Function.This is not null)
        {
            return InlineCall(pr, getter, Function.This, ArgumentsOf(pr.Arguments, getter), new RefValue?[getter.Parameters.Length]);
        }

        return null;
    }

    /// <summary>Is <paramref name="candidate"/> <paramref name="property"/> itself, or an override of it (at any depth)?</summary>
    private static bool Overrides(IPropertySymbol candidate, IPropertySymbol property)
    {
        for (var p = candidate; p is not null; p = p.OverriddenProperty)
        {
            if (SymbolEqualityComparer.Default.Equals(p.OriginalDefinition, property.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The value of a static readonly field of a number type initialized with a constant, in a type without a static
    /// constructor of its own (which could assign it): it never holds anything else. Null otherwise.
    /// </summary>
    private object? ReadOnlyConstant(IFieldSymbol field)
    {
        if (!field.IsStatic || !field.IsReadOnly || field.Type.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32 or SpecialType.System_Int64)
            || field.ContainingType.StaticConstructors.Any(c => !c.IsImplicitlyDeclared) || field.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        if (field.DeclaringSyntaxReferences[0].GetSyntax(_ct) is not Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: { } initializer })
        {
            return null;
        }

        _dependencies?.Add(initializer.Parent!.Parent!);
        var model = ModelFor(initializer.SyntaxTree);
        if (model is null)
        {
            return null;
        }

        var constant = model.GetConstantValue(initializer, _ct);
        if (!constant.HasValue || constant.Value is null)
        {
            return null;
        }

        // The initializer converted to the field's type, as C# does (static readonly double A = 1;).
        return field.Type.SpecialType switch
        {
            SpecialType.System_Double => System.Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture),
            SpecialType.System_Single => System.Convert.ToSingle(constant.Value, System.Globalization.CultureInfo.InvariantCulture),
            SpecialType.System_Int32 => System.Convert.ToInt32(constant.Value, System.Globalization.CultureInfo.InvariantCulture),
            _ => System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Is this (in the function being lowered) the instance the [Differentiable] method runs on?</summary>
    private bool IsEntryInstance() => Function.This is Scalar { Operand: Lit { Text: "this" } };

    /// <summary>
    /// Is a member read on <paramref name="instance"/> a read of the [Differentiable] method's own instance: this
    /// (implicit or written), or a local or parameter that holds it (a helper called with this, var self = this)?
    /// Its [Trainable] members are then the differentiated ones, not data.
    /// </summary>
    private bool IsEntryReceiver(IOperation? instance)
    {
        while (instance is IConversionOperation { Conversion.IsReference: true } or IConversionOperation { Conversion.IsIdentity: true })
        {
            instance = ((IConversionOperation)instance).Operand;
        }

        switch (instance)
        {
            case null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                return IsEntryInstance();
            case ILocalReferenceOperation or IParameterReferenceOperation when instance.Type is { IsReferenceType: true }:
                var lowered = LowerExpr(instance);
                if (lowered is Scalar { Operand: Lit { Text: "this" } })
                {
                    return true;
                }

                if (lowered is Scalar { Operand: var maybe } && _mayBeThis.Contains(maybe))
                {
                    _ambiguousReceiver = "'" + SourceText(instance.Syntax) + "', which holds this on one path and another object on another,";
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// A [Trainable] member read as data through another object of the model's type (Distance(Net other) reading
    /// other.W, other.Predict(x)): the generated code throws when that object is this model at run time, since the
    /// member would then be the differentiated one, read as a constant.
    /// </summary>
    private void GuardNotThis(IOperation? instance, ISymbol member)
    {
        var original = instance;
        while (instance is IConversionOperation { Conversion.IsReference: true } or IConversionOperation { Conversion.IsIdentity: true })
        {
            instance = ((IConversionOperation)instance).Operand;
        }

        Operand? other;
        ITypeSymbol? type;
        switch (instance)
        {
            case null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                other = Function.This is Scalar { Operand: var self } ? self : null;
                type = Function.Method?.ContainingType;
                break;
            case ILocalReferenceOperation or IParameterReferenceOperation:
                other = LowerExpr(instance) is Scalar { Operand: var held } ? held : null;
                type = instance.Type;
                break;
            case IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.Length: 0 } when IsMemberChain(instance):
                // this.Self.K, Current.K, helper.Model.K: the object read from a field or property (a model that keeps a
                // reference to itself, a static current model), checked the same way (red-team: read as constants).
                other = LowerExpr(instance) is Scalar { Operand: var read } ? read : null;
                type = instance.Type;
                if (other is Lit { Text: "this" })
                {
                    // this.Self.W with Self => this: read as this.W (DataMemberRead finds it is this).
                    _pendingReceiver = (original!, member);
                    return;
                }

                break;
            default:
                // Me().B, Id(this).W[0], (c ? this : that).B, list[0].B: any other expression of a type this model
                // converts to. The read lowers it once (DataMemberRead); if it is this, the member is read as on this,
                // else the same check is made on the object it gives (red-team, stop 32: read as constants).
                if (instance.Type is { IsReferenceType: true } otherType && !_entry.IsStatic && _entry.ContainingType.IsReferenceType
                    && _compilation.HasImplicitConversion(_entry.ContainingType, otherType))
                {
                    _pendingReceiver = (original!, member);
                }

                return;
        }

        if (other is null or Poison or Lit || other.Type.Kind != ValueKind.Data || type is not { IsReferenceType: true }
            || _entry.IsStatic || !_entry.ContainingType.IsReferenceType || !_compilation.HasImplicitConversion(_entry.ContainingType, type))
        {
            return;
        }

        EmitNotThisCheck(other, instance, member);
    }

    /// <summary>A receiver expression whose read (DataMemberRead) decides whether it is this (see GuardNotThis), with the member read.</summary>
    private (IOperation Instance, ISymbol Member)? _pendingReceiver;

    /// <summary>The runtime check that <paramref name="other"/>, read as data, is not this model.</summary>
    private void EmitNotThisCheck(Operand other, IOperation? instance, ISymbol member)
    {
        if (!_guardedNotThis.Add((other, _block)))
        {
            return;
        }

        string name = other is Var { Role: VarRole.Parameter } p ? p.Hint : instance is null ? "this of " + Function.Method?.Name : SourceText(instance.Syntax);
        bool trainableMember = Attribute(member, "SymbolicGrad.TrainableAttribute") is not null;
        string message = "The model read as data through '" + name + "' is this model: " + (trainableMember
            ? "its [Trainable] members (" + member.Name + ") are differentiated, but read through '" + name + "' they would be constants"
            : "'" + member.Name + "' of it may read its [Trainable] members, which are differentiated, but read through '" + name + "' would be constants")
            + " and their part of the gradient would be missing. Pass another instance (a copy of the model).";
        var same = Emit(Opcode.Opaque, IrType.Bool, new[] { other }, new OpaqueInfo(new[] { "global::System.Object.ReferenceEquals(", ", this)" }, pure: true, effectFree: true));
        var then = new Block();
        then.Add(new Throw(new Instr(Opcode.Opaque, IrType.Object, Array.Empty<Operand>(),
            new OpaqueInfo(new[] { "new global::System.InvalidOperationException(" + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(message, quote: true) + ")" }, pure: false, effectFree: false))));
        _block.Add(new If(same, then, new Block(), new List<Phi>()));
    }

    private readonly HashSet<string> _dataMemoryAccesses = new(StringComparer.Ordinal);

    /// <summary>
    /// A field (or auto-property) read as data that may hold an array (double[] Data, a List&lt;double&gt;, the rows of a
    /// double[][]): static, of the model, or of a parameter of the method. An output given the same memory would be
    /// cleared before the forward sweep reads it (a value and gradient of 0; red-team I), so each output is checked
    /// against it at entry (<see cref="IrMethod.DataMemories"/>).
    /// </summary>
    private void NoteDataMemory(ISymbol member, ITypeSymbol type, IOperation? instance)
    {
        var concrete = Concrete(type);
        if (!Accessible(member) || Attribute(member, "SymbolicGrad.TrainableAttribute") is not null || !HoldsNumbers(concrete))
        {
            return;
        }

        if (PrintedName(member) is not { } name)
        {
            return;
        }

        string access, label;
        while (instance is IConversionOperation { Conversion.IsIdentity: true } conversion)
        {
            instance = conversion.Operand;
        }

        if (member.IsStatic)
        {
            access = Concrete(member.ContainingType).ToDisplayString(TypeMap.Qualified) + "." + name;
            label = member.ContainingType.Equals(_entry.ContainingType, SymbolEqualityComparer.Default) ? TypeMap.MemberDisplayName(member) : member.ContainingType.Name + "." + TypeMap.MemberDisplayName(member);
        }
        else if (instance is IParameterReferenceOperation { Parameter: { } parameter } && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _entry)
            && parameter.RefKind != RefKind.Out && parameter.Type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct })
        {
            string holder = EscapedName(parameter.Name);
            access = parameter.Type.IsValueType ? holder + "." + name : "(" + holder + " is null ? " + (concrete.IsValueType ? "default" : "null") + " : " + holder + "." + name + ")";
            label = parameter.Name + "." + TypeMap.MemberDisplayName(member);
        }
        else if (!_entry.IsStatic && IsEntryReceiver(instance))
        {
            if (member.ContainingType is { TypeKind: TypeKind.Class } declaring && !SymbolEqualityComparer.Default.Equals(declaring.OriginalDefinition, _entry.ContainingType.OriginalDefinition))
            {
                if (InheritedThisPrefix(member, declaring) is not { } prefix)
                {
                    return;
                }

                access = prefix + "." + name;
            }
            else
            {
                access = "this." + name;
            }

            label = TypeMap.MemberDisplayName(member);
        }
        else
        {
            return;
        }

        NoteDataMemory(access, label, concrete);
    }

    private void NoteDataMemory(string access, string label, ITypeSymbol type)
    {
        if (!_dataMemoryAccesses.Add(access))
        {
            return;
        }

        // A memory or a segment (structs) is passed as a ReadOnlyMemory, not boxed: the check allocates nothing.
        bool memory = IsMemory(type) || IsSegment(type);
        if (memory)
        {
            access = "(global::System.ReadOnlyMemory<" + ((INamedTypeSymbol)type).TypeArguments[0].ToDisplayString(TypeMap.Qualified) + ">)" + access;
        }

        _ir.DataMemories.Add((access, label, memory));
    }

    /// <summary>The entry's parameters that hold numbers as data but are not arrays (List&lt;double&gt;, IReadOnlyList&lt;double&gt;, memories, segments).</summary>
    private void NoteDataParameters()
    {
        foreach (var parameter in _entry.Parameters)
        {
            var concrete = Concrete(parameter.Type);
            if (parameter.RefKind == RefKind.Out || concrete is IArrayTypeSymbol)
            {
                continue;
            }

            if (HoldsNumbers(concrete))
            {
                NoteDataMemory(EscapedName(parameter.Name), parameter.Name, concrete);
            }
            else if (concrete is INamedTypeSymbol { IsTupleType: true } tuple)
            {
                // A tuple of arrays ((double[] xs, double[] ys) d): each element, by its name (or ItemN).
                foreach (var element in tuple.TupleElements)
                {
                    var type = Concrete(element.Type);
                    if (HoldsNumbers(type))
                    {
                        NoteDataMemory(EscapedName(parameter.Name) + "." + EscapedName(element.Name), parameter.Name + "." + element.Name, type);
                    }
                }
            }
            else if (concrete is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, IsRefLikeType: false, SpecialType: SpecialType.None } holder
                && holder.ContainingNamespace?.ToDisplayString() is not ("System" or "System.Collections.Generic" or "System.Linq"))
            {
                // The arrays a struct, record or class parameter holds, one level down (rows.X, a record struct's
                // positional X): read as data wherever the method reads them.
                string name = EscapedName(parameter.Name);
                foreach (var member in holder.GetMembers())
                {
                    if (member.IsStatic || !Accessible(member) || !(member is IFieldSymbol { IsImplicitlyDeclared: false }
                        || (member is IPropertySymbol { IsIndexer: false } property && BackingField(property) is not null && GetterReturnsField(property))))
                    {
                        continue;
                    }

                    var type = Concrete(member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type);
                    if (!HoldsNumbers(type) || PrintedName(member) is not { } printed)
                    {
                        continue;
                    }

                    string access = holder.IsValueType ? name + "." + printed : "(" + name + " is null ? " + (type.IsValueType ? "default" : "null") + " : " + name + "." + printed + ")";
                    NoteDataMemory(access, parameter.Name + "." + member.Name, type);
                }
            }
        }
    }

    /// <summary>What an output may share memory with: arrays, lists of numbers, memories and segments of double or float.</summary>
    private static bool HoldsNumbers(ITypeSymbol type) =>
        HoldsArrays(type) || IsSegment(type)
        || (IsMemory(type) && ((INamedTypeSymbol)type).TypeArguments[0].SpecialType is SpecialType.System_Double or SpecialType.System_Single);

    private static bool IsSegment(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, Name: "ArraySegment" } segment && segment.ContainingNamespace?.ToDisplayString() == "System"
        && segment.TypeArguments[0].SpecialType is SpecialType.System_Double or SpecialType.System_Single;

    private static string EscapedName(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    /// <summary>The checks of <see cref="GuardModelField"/>, put before the forward sweep; the members they check.</summary>
    private readonly List<Stmt> _modelFieldGuards = new();
    private readonly HashSet<ISymbol> _guardedFields = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// A field (or auto-property) of the model that is not [Trainable] but holds arrays (double[] _view, a
    /// List&lt;double[]&gt; of layers, double[][] _rows), read on this: the gradient reads it as data, which is exact unless
    /// it is, or holds, a [Trainable] array (_view = W, _layers = { W1, W2 }: the member's reads through it were
    /// constants; red-team). Checked once per call, before the forward sweep, against every [Trainable] array.
    /// </summary>
    private void GuardModelField(ISymbol member, ITypeSymbol type, IOperation? instance)
    {
        if (_trainable is null || _entry.IsStatic || _guardedFields.Contains(member) || !Accessible(member)
            || Attribute(member, "SymbolicGrad.TrainableAttribute") is not null)
        {
            return;
        }

        bool ours = member.IsStatic;
        for (var t = _entry.ContainingType; t is not null && !ours; t = t.BaseType)
        {
            ours |= SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, member.ContainingType.OriginalDefinition);
        }

        if (!ours || (!member.IsStatic && !IsEntryReceiver(instance)))
        {
            return;
        }

        string Escaped(string name) => Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;
        if (PrintedName(member) is not { } printed)
        {
            return;
        }

        bool inherited = !member.IsStatic && !SymbolEqualityComparer.Default.Equals(member.ContainingType.OriginalDefinition, _entry.ContainingType.OriginalDefinition);
        string? inheritedPrefix = inherited ? InheritedThisPrefix(member, member.ContainingType) : null;
        if (inherited && inheritedPrefix is null)
        {
            return;
        }

        string access = (member.IsStatic ? Concrete(member.ContainingType).ToDisplayString(TypeMap.Qualified)
            : inherited ? inheritedPrefix! : "this") + "." + printed;
        string label = member.IsStatic && !_entry.ContainingType.Equals(member.ContainingType, SymbolEqualityComparer.Default) ? member.ContainingType.Name + "." + TypeMap.MemberDisplayName(member) : TypeMap.MemberDisplayName(member);

        // What to check: the field itself when it may hold arrays (an array, a list of arrays, an IList<double> or a
        // memory that may be the array), else the members of a holder one level down (a class or struct with an array
        // field, a tuple: Hold.Arr, Tup.A; red-team).
        var checks = new List<(string Text, string Label)>();
        var concrete = Concrete(type);
        if (HoldsArrays(concrete))
        {
            checks.Add(((IsMemory(concrete) ? "\u0001" : string.Empty) + access, label));
        }
        else if (concrete is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } holder && concrete.SpecialType == SpecialType.None
            && (holder.IsTupleType || holder.ContainingNamespace?.ToDisplayString() is not ("System" or "System.Collections.Generic" or "System.Linq")))
        {
            var innerMembers = holder.IsTupleType
                ? holder.TupleElements.Cast<ISymbol>()
                : holder.GetMembers().Where(m => m is IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } or IPropertySymbol { IsStatic: false, IsIndexer: false } && Accessible(m));
            foreach (var inner in innerMembers)
            {
                var innerType = Concrete(inner switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => throw new InvalidOperationException() });
                if (inner is IPropertySymbol prop && BackingField(prop) is null && !(holder.IsTupleType))
                {
                    continue;
                }

                if (HoldsArrays(innerType) && (innerType.IsReferenceType || holder.IsValueType))
                {
                    checks.Add(((IsMemory(innerType) ? "\u0001" : string.Empty) + (holder.IsValueType ? access + "." + Escaped(inner.Name) : "(" + access + " is null ? null : " + access + "." + Escaped(inner.Name) + ")"), label + "." + inner.Name));
                }
            }
        }

        if (checks.Count == 0)
        {
            return;
        }

        _guardedFields.Add(member);
        var trained = new List<ISymbol>();
        for (var t = _entry.ContainingType; t is not null; t = t.BaseType)
        {
            trained.AddRange(t.GetMembers().Where(m => m is IFieldSymbol { Type: IArrayTypeSymbol, IsStatic: false } or IPropertySymbol { Type: IArrayTypeSymbol, IsStatic: false }
                && Attribute(m, "SymbolicGrad.TrainableAttribute") is not null && Accessible(m)));
        }

        foreach (var (text, shown) in checks)
        {
            foreach (var t in trained)
            {
                string call = "global::SymbolicGrad.Internal.AdjointBuffers." + (text.StartsWith("\u0001", StringComparison.Ordinal) ? "ThrowIfMemoryHoldsMember(" + text.Substring(1) : "ThrowIfFieldHoldsMember(" + text) + ", " + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(shown, quote: true)
                    + ", this." + Escaped(t.Name) + ", " + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(t.Name, quote: true) + ")";
                _modelFieldGuards.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, Array.Empty<Operand>(), new OpaqueInfo(new[] { call }, pure: false, effectFree: false))));
            }
        }
    }

    /// <summary>
    /// Something a [Trainable] array can hide in: an array of any rank or nesting, a collection of arrays
    /// (List&lt;double[]&gt;), a collection of numbers that may be the array itself (IList&lt;double&gt;,
    /// IReadOnlyList&lt;double&gt;), or a memory of doubles.
    /// </summary>
    private static bool IsMemory(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, Name: "Memory" or "ReadOnlyMemory" } memory && memory.ContainingNamespace?.ToDisplayString() == "System";

    private static bool HoldsArrays(ITypeSymbol type) =>
        type is IArrayTypeSymbol
        || (type is INamedTypeSymbol { IsGenericType: true, Name: "Memory" or "ReadOnlyMemory" } memory && memory.ContainingNamespace?.ToDisplayString() == "System"
            && memory.TypeArguments[0].SpecialType == SpecialType.System_Double)
        || (type is INamedTypeSymbol named && !named.IsValueType && named.AllInterfaces.Append(named).Any(i => i is { IsGenericType: true, TypeArguments.Length: 1 }
            && i.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IEnumerable<T>"
            && (i.TypeArguments[0] is IArrayTypeSymbol || i.TypeArguments[0].SpecialType is SpecialType.System_Double or SpecialType.System_Single)));

    /// <summary>A chain of field and property reads (no calls, no indexers) from this, a local, a parameter or a static member.</summary>
    private static bool IsMemberChain(IOperation op)
    {
        for (int hops = 0; hops < 16; hops++)
        {
            switch (op)
            {
                case IFieldReferenceOperation f:
                    if (f.Instance is null)
                    {
                        return true;
                    }

                    op = f.Instance;
                    break;
                case IPropertyReferenceOperation { Arguments.Length: 0 } p:
                    if (p.Instance is null)
                    {
                        return true;
                    }

                    op = p.Instance;
                    break;
                case IConversionOperation { Conversion.IsReference: true } or IConversionOperation { Conversion.IsIdentity: true }:
                    op = ((IConversionOperation)op).Operand;
                    break;
                default:
                    return op is IInstanceReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation;
            }
        }

        return false;
    }

    /// <summary>The objects <see cref="GuardNotThis"/> checked, with the block the check is in.</summary>
    private readonly HashSet<(Operand, Block)> _guardedNotThis = new();

    /// <summary>Values that are this on one path and another object on another (var m = c ? this : other).</summary>
    private readonly HashSet<Operand> _mayBeThis = new();

    /// <summary>Set by <see cref="IsEntryReceiver"/> when the receiver is such a value: its text, for the message.</summary>
    private string? _ambiguousReceiver;

    /// <summary>Is the receiver this? A value that is this on some path only is refused here, at the member read.</summary>
    private bool EntryOrAmbiguousReceiver(IOperation instance, IOperation at, ISymbol member)
    {
        _ambiguousReceiver = null;
        bool entry = IsEntryReceiver(instance);
        if (!entry && AmbiguousTrainableRead(at, member) is not null)
        {
            _refusedAmbiguous = true;
            return true;
        }

        return entry;
    }

    /// <summary>Set when <see cref="EntryOrAmbiguousReceiver"/> refused the read.</summary>
    private bool _refusedAmbiguous;

    /// <summary>A [Trainable] member read through a variable that may or may not hold this: refused, never read as data.</summary>
    private FValue? AmbiguousTrainableRead(IOperation at, ISymbol member)
    {
        var receiver = _ambiguousReceiver;
        _ambiguousReceiver = null;
        if (receiver is null)
        {
            return null;
        }

        return NotYet(at, "Reading '" + member.Name + "' of the model through " + receiver,
            "read this's members directly (" + member.Name + ") on the path where it is this, and the other object's on the other path");
    }

    /// <summary>The backing field of a property (an auto-property's, or the one its accessors name with field), or null.</summary>
    private static IFieldSymbol? BackingField(IPropertySymbol property) =>
        property.ContainingType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    /// <summary>
    /// The field a read of the property reads: the backing field when the getter is the compiler's (get;), null when
    /// it has a body to inline (get => field * 2; with C# 14's field keyword, or a computed property).
    /// </summary>
    private static IFieldSymbol? AutoGetterField(IPropertySymbol property) => IsAutoAccessor(property.GetMethod) ? BackingField(property) : null;

    /// <summary>
    /// The field an assignment of the property writes: the backing field when the set or init accessor is the
    /// compiler's, or when there is none (a get-only property assigned in a constructor); else null.
    /// </summary>
    private static IFieldSymbol? AutoSetterField(IPropertySymbol property) =>
        property.SetMethod is null || IsAutoAccessor(property.SetMethod) ? BackingField(property) : null;

    private static bool IsAutoAccessor(IMethodSymbol? accessor) => TypeMap.IsAutoAccessor(accessor);

    /// <summary>A member read on data (this, a static, a data object): a constant for differentiation.</summary>
    private FValue DataMember(IOperation at, IOperation? instance, ISymbol member, ITypeSymbol type, bool pure, Operand? lowered = null)
    {
        // The backing field of a C# 14 field-keyword property (get => field) is private, but the property reads it
        // unchanged: read through the property when that is accessible (PrintedName names the property).
        bool throughProperty = member is IFieldSymbol { AssociatedSymbol: IPropertySymbol { GetMethod: { } getter } property } && GetterReturnsField(property) && Accessible(getter)
            && !Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(member.Name);
        if (!throughProperty && !Accessible(member))
        {
            // A helper of another class reading its own private member: the generated code (in the [Differentiable]
            // method's class) could not compile the read.
            if (FileLocalType(member) is { } fileLocal)
            {
                return Unsupported(at, "a member of the file-local type '" + fileLocal.Name + "', which the generated code (in another file) cannot name",
                    "declare '" + fileLocal.Name + "' without 'file' (internal keeps it out of other assemblies), or pass the value as a [NoDerivative] parameter");
            }

            return Unsupported(at, "a " + Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetText(member.DeclaredAccessibility) + " member of '" + member.ContainingType.Name + "', which the generated code in '" + _entry.ContainingType.Name + "' cannot read",
                "make it internal (or public), or pass its value to the helper as a parameter");
        }

        var irType = IrTypeOf(Concrete(type));
        if (irType is null && TypeMap.IsNullableValue(Concrete(type), out _))
        {
            // A double? member of data (o.B of a [NoDerivative] struct, a static double?): read once, then taken apart
            // into HasValue and the value, as a nullable parameter is.
            var whole = DataMemberRead(at, instance, member, IrType.Data(Concrete(type).ToDisplayString(TypeMap.Qualified)), pure, lowered);
            return whole is Scalar { Operand: var w } && w is not Poison && NullableData(w, type) is { } nullable ? nullable : whole;
        }

        if (irType is null)
        {
            irType = IrType.Data(Concrete(type).ToDisplayString(TypeMap.Qualified));
            if (IsStructType(type) || TypeMap.IsTuple(Concrete(type)))
            {
                // A struct member of data (ex.Position of a [NoDerivative] object, Origin a static readonly point):
                // its members, read as data, when the generated code can name them all.
                var whole = DataMemberRead(at, instance, member, irType, pure, lowered);
                return whole is Scalar { Operand: var data } && data is not Poison && DataAsValue(data, type, 0) is { } members
                    ? members
                    : whole is Scalar { Operand: Poison } ? whole : NotYet(at, "Reading a struct from a field, property or array of data", "copy the numbers you need into locals, or pass the struct as a parameter");
            }
        }

        return DataMemberRead(at, instance, member, irType, pure, lowered);
    }

    /// <summary>A nullable number held as data (a double? read from a data object), as its HasValue and its value; else null.</summary>
    private FValue? NullableData(Operand whole, ITypeSymbol type) =>
        TypeMap.IsNullableValue(Concrete(type), out var underlying) && IrTypeOf(Concrete(underlying)) is { } ut && ut.Kind != ValueKind.Data && !ut.IsArray
            ? new NullableValue(
                Emit(Opcode.Opaque, IrType.Bool, new[] { whole }, new OpaqueInfo(new[] { string.Empty, ".HasValue" }, pure: true, effectFree: true)),
                new Scalar(Emit(Opcode.Opaque, ut, new[] { whole }, new OpaqueInfo(new[] { string.Empty, ".GetValueOrDefault()" }, pure: true, effectFree: true))))
            : null;

    /// <summary>The read of a member of data, of the IR type <paramref name="irType"/>.</summary>
    private FValue DataMemberRead(IOperation at, IOperation? instance, ISymbol member, IrType irType, bool pure, Operand? lowered)
    {
        if (PrintedName(member) is not { } name)
        {
            // C# 14's field keyword in a property whose getter does more than return it (get => field * 2): the
            // backing field has no name the generated code can write.
            return Unsupported(at, "the backing field ('field') of the property '" + ((IFieldSymbol)member).AssociatedSymbol?.Name + "', which the generated code cannot name",
                "give the property a named backing field (private double _scale; with get => _scale * 2)");
        }

        if (member.IsStatic)
        {
            // Concrete: a generic helper's Holder<U>.Data is Holder<int>.Data where the helper is called with U = int.
            string owner = Concrete(member.ContainingType).ToDisplayString(TypeMap.Qualified);
            return new Scalar(Emit(Opcode.Opaque, irType, Array.Empty<Operand>(), new OpaqueInfo(new[] { owner + "." + name }, pure, effectFree: true), SourceText(at.Syntax)));
        }

        var pending = _pendingReceiver;
        _pendingReceiver = null;
        Operand receiver;
        if (lowered is not null)
        {
            receiver = lowered;
        }
        else if (instance is null || instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
        {
            var self = Function.This;
            if (self is Scalar { Operand: var o })
            {
                receiver = o;
            }
            else
            {
                return Unsupported(at, "a member of this", "read it into a local in the caller");
            }
        }
        else
        {
            var r = LowerExpr(instance);
            if (r is not Scalar { Operand: var ro })
            {
                return Unsupported(at, "a member of this value", "read the members of data objects, structs and tuples");
            }

            if (ro.Type.IsReal)
            {
                return Unsupported(at, "a member of a number", "use the Math functions");
            }

            if (pending is { } p && ReferenceEquals(p.Instance, instance))
            {
                if (ro is Lit { Text: "this" } && ThisMember(at, member, ro) is { } onThis)
                {
                    // Me().B with Me() => this, Id(this).W, Self.W: this, known once the receiver is lowered.
                    return onThis;
                }

                if (ro is not (Poison or Lit) && ro.Type.Kind == ValueKind.Data)
                {
                    EmitNotThisCheck(ro, instance, member);
                }
            }

            receiver = ro;
        }

        if (receiver is Lit { Text: "this" } && member.ContainingType is { TypeKind: TypeKind.Class } declaring
            && !SymbolEqualityComparer.Default.Equals(declaring.OriginalDefinition, _entry.ContainingType.OriginalDefinition))
        {
            // A member of a base class (base.X, or X inherited): read through the base type, since the model may hide
            // it with a member of the same name (new double[] X), which this.X would read instead (red-team J). A
            // protected member cannot be read through a cast (CS1540): base.X, when that names it (red-team R).
            switch (InheritedThisPrefix(member, declaring))
            {
                case "base":
                    return new Scalar(Emit(Opcode.Opaque, irType, Array.Empty<Operand>(), new OpaqueInfo(new[] { "base." + name }, pure, effectFree: true), SourceText(at.Syntax)));
                case null:
                    return Unsupported(at, "the protected member '" + member.Name + "' of a base class, hidden or virtual here", "read it in the base class (a protected helper that returns it), or make it internal");
                default:
                    return new Scalar(Emit(Opcode.Opaque, irType, new[] { receiver }, new OpaqueInfo(new[] { "((" + Concrete(declaring).ToDisplayString(TypeMap.Qualified) + ")", ")." + name }, pure, effectFree: true), SourceText(at.Syntax)));
            }
        }

        return new Scalar(Emit(Opcode.Opaque, irType, new[] { receiver }, new OpaqueInfo(new[] { string.Empty, "." + name }, pure, effectFree: true), SourceText(at.Syntax)));
    }

    /// <summary>
    /// How generated code names <paramref name="member"/>: its name (escaped if a keyword); for the backing field of
    /// a property with C# 14's field keyword whose getter only returns it (get => field), the property; null when it
    /// cannot be named (a getter that computes from field).
    /// </summary>
    private static string? PrintedName(ISymbol member)
    {
        if (member is IFieldSymbol { AssociatedSymbol: IPropertySymbol property } && !Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(member.Name))
        {
            return GetterReturnsField(property) ? EscapedName(property.Name) : null;
        }

        return EscapedName(member.Name);
    }

    /// <summary>Whether the property's getter is the compiler's (get;) or returns its backing field unchanged (get => field;, get { return field; }).</summary>
    private static bool GetterReturnsField(IPropertySymbol property)
    {
        if (property.GetMethod is not { } getter || getter.DeclaringSyntaxReferences.Length != 1)
        {
            return false;
        }

        if (IsAutoAccessor(getter))
        {
            return true;
        }

        var expression = getter.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.AccessorDeclarationSyntax { ExpressionBody: { } arrow } => arrow.Expression,
            Microsoft.CodeAnalysis.CSharp.Syntax.AccessorDeclarationSyntax { Body.Statements.Count: 1 } block
                when block.Body!.Statements[0] is Microsoft.CodeAnalysis.CSharp.Syntax.ReturnStatementSyntax { Expression: { } returned } => returned,
            _ => null,
        };
        while (expression is Microsoft.CodeAnalysis.CSharp.Syntax.ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression is not null && expression.ToString() == "field";
    }

    /// <summary>
    /// The member of this model, as this.Member reads it: a [Trainable] field or auto-property, or a computed property
    /// inlined on this. Null when it cannot be read that way here.
    /// </summary>
    private FValue? ThisMember(IOperation at, ISymbol member, Operand self)
    {
        if (_trainable is null)
        {
            return null;
        }

        switch (member)
        {
            case IFieldSymbol field when _trainable(field) is { } trained:
                return trained;
            case IPropertySymbol property when BackingField(property) is { } backing && _trainable(backing) is { } trained:
                return trained;
            case IPropertySymbol { GetMethod: { } getter } property when AutoGetterField(property) is null && HasSource(getter) && !getter.IsVirtual && !getter.IsAbstract && !getter.IsOverride:
                return InlineCall(at, getter, new Scalar(self), Array.Empty<FValue?>(), Array.Empty<RefValue?>());
            default:
                return null;
        }
    }

    /// <summary>An indexer of a data collection (a List, a dictionary...): read as data.</summary>
    private FValue DataIndexer(IPropertyReferenceOperation pr)
    {
        if (pr.Instance is null)
        {
            return Unsupported(pr, "this indexer", "index arrays and spans");
        }

        var receiver = LowerScalar(pr.Instance);
        var args = new List<Operand> { receiver };
        var parts = new List<string> { string.Empty, "[" };
        for (int i = 0; i < pr.Arguments.Length; i++)
        {
            args.Add(LowerScalar(pr.Arguments[i].Value));
            parts.Add(i == pr.Arguments.Length - 1 ? "]" : ", ");
        }

        var type = IrTypeOrData(Concrete(pr.Type!));

        var result = Emit(Opcode.Opaque, type, args.ToArray(), new OpaqueInfo(parts.ToArray(), pure: false, effectFree: true), SourceText(pr.Syntax));
        Checks.Add(new DeferredCheck(CheckKind.InactiveCall, NotCheckedAtCreation(args), LocationOf(pr), new[] { SourceText(pr.Syntax), "an indexer of a collection is data: use an array or a span for values that are differentiated" }));
        return new Scalar(result);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Elements

    private FValue LowerElementRead(IArrayElementReferenceOperation e)
    {
        var lowered = LowerExpr(e.ArrayReference);
        if (lowered is TupleArrayValue tuples)
        {
            if (e.Indices.Length != 1 || e.Indices[0].Type is { Name: "Range" })
            {
                return Unsupported(e, "this index of an array of tuples or structs", "index it with an int or ^k");
            }

            // pts[^1]: counted from the end of the components' common length.
            var at = e.Indices[0].Type is { Name: "Index" } ? IndexFromEnd(e.Indices[0], FirstComponent(tuples.Components)) : LowerIndex(e.Indices[0]);
            return TupleAt(tuples.Components, at, e);
        }

        var array = ScalarOf(lowered, e.ArrayReference);
        if (e.Indices.Length == 1 && e.Indices[0].Type is { Name: "Range" })
        {
            return new Scalar(RangeOf(array, e.Indices[0], e, copy: array.Type.Form == ArrayForm.Array));
        }

        if (e.Indices.Length == 1 && e.Indices[0].Type is { Name: "Index" })
        {
            return new Scalar(Load(array, new[] { IndexFromEnd(e.Indices[0], array) }, e));
        }

        var index = e.Indices.Select(LowerIndex).ToArray();
        return new Scalar(Load(array, index, e));
    }

    private FValue LowerImplicitIndexer(IImplicitIndexerReferenceOperation ii)
    {
        if (ListElementFromEnd(ii, out var list) is { } fromEnd)
        {
            return new Scalar(Load(ListStore(list!), fromEnd, ii));
        }

        var instance = LowerScalar(ii.Instance);
        if (!instance.Type.IsArray)
        {
            return Unsupported(ii, "^ and .. on this type", "use them on arrays and spans");
        }

        if (ii.Argument.Type is { Name: "Range" })
        {
            return new Scalar(RangeOf(instance, ii.Argument, ii, copy: instance.Type.Form == ArrayForm.Array));
        }

        return new Scalar(Load(instance, new[] { IndexFromEnd(ii.Argument, instance) }, ii));
    }

    private Operand Load(Operand array, Operand[] index, IOperation at)
    {
        if (array is Poison)
        {
            return Poison.Of(IrTypeOrData(at.Type));
        }

        if (!array.Type.IsArray)
        {
            Unsupported(at, "indexing this value", "index arrays and spans");
            return Poison.Of(IrTypeOrData(at.Type));
        }

        return Emit(Opcode.Load, array.Type.Element!, Prepend(array, index), source: SourceText(at.Syntax));
    }

    /// <summary>An index that may count from the end (^k).</summary>
    private Operand IndexFromEnd(IOperation index, Operand array)
    {
        if (index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat)
        {
            var k = LowerScalar(hat.Operand);
            var length = Emit(Opcode.Length, IrType.Int32, new[] { array });
            return Emit(Opcode.ISub, IrType.Int32, new[] { length, k });
        }

        if (index is IConversionOperation { Operand: var inner } && inner.Type?.SpecialType == SpecialType.System_Int32)
        {
            return LowerScalar(inner);
        }

        if (IsSystemType(index.Type, "Index"))
        {
            // An Index held in a variable (Index last = ^1; a[last]): its offset in this array, as C# computes it.
            return IndexOffset(LowerScalar(index), Emit(Opcode.Length, IrType.Int32, new[] { array }), ".GetOffset(");
        }

        Unsupported(index, "this index", "use an int, or ^k to count from the end");
        return Poison.Of(IrType.Int32);
    }

    private static bool IsSystemType(ITypeSymbol? type, string name) =>
        type is INamedTypeSymbol { Arity: 0 } t && t.Name == name && t.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>index.GetOffset(length) of an Index value (or range.Start/End.GetOffset of a Range value), run as written.</summary>
    private Operand IndexOffset(Operand value, Operand length, string member) =>
        value is Poison ? Poison.Of(IrType.Int32)
            : Emit(Opcode.Opaque, IrType.Int32, new[] { value, length }, new OpaqueInfo(new[] { string.Empty, member, ")" }, pure: true, effectFree: true));

    /// <summary>a[from..to]: a view of a span, or (for an array, as C# does) a copy.</summary>
    private Operand RangeOf(Operand array, IOperation range, IOperation at, bool copy)
    {
        if (range is not IRangeOperation r)
        {
            if (!IsSystemType(range.Type, "Range"))
            {
                Unsupported(at, "a range that is not written in place", "write the range as a..b");
                return Poison.Of(array.Type);
            }

            // A Range held in a variable (Range tail = 1..; a[tail]): its bounds in this array, as C# computes them.
            var rangeValue = LowerScalar(range);
            var n = Emit(Opcode.Length, IrType.Int32, new[] { array });
            return SliceOrCopy(array, IndexOffset(rangeValue, n, ".Start.GetOffset("), IndexOffset(rangeValue, n, ".End.GetOffset("), at, copy);
        }

        var length = Emit(Opcode.Length, IrType.Int32, new[] { array });
        Operand Bound(IOperation? b, Operand fallback)
        {
            if (b is null)
            {
                return fallback;
            }

            if (b is IConversionOperation { IsImplicit: true, Operand: var o })
            {
                b = o;
            }

            if (b is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat)
            {
                return Emit(Opcode.ISub, IrType.Int32, new[] { length, LowerScalar(hat.Operand) });
            }

            return IsSystemType(b.Type, "Index") ? IndexOffset(LowerScalar(b), length, ".GetOffset(") : LowerScalar(b);
        }

        var from = Bound(r.LeftOperand, Lit.Int(0));
        var to = Bound(r.RightOperand, length);
        return SliceOrCopy(array, from, to, at, copy);
    }

    private Operand SliceOrCopy(Operand array, Operand from, Operand to, IOperation at, bool copy)
    {
        var count = Emit(Opcode.ISub, IrType.Int32, new[] { to, from });
        var spanType = array.Type.WithForm(array.Type.Form == ArrayForm.ReadOnlySpan ? ArrayForm.ReadOnlySpan : ArrayForm.Span);
        var view = Emit(Opcode.Slice, spanType, new[] { array, from, count }, source: SourceText(at.Syntax));
        if (!copy)
        {
            return view;
        }

        var fresh = Alloc(array.Type.Element!, new[] { count }, at);
        CopyLoop(view, fresh, count, Lit.False, at);
        return fresh;
    }

    /// <summary>
    /// Copies count elements from one array to another with a loop (differentiable like any loop), with the semantics of
    /// <c>Array.Copy</c> and <c>Span.CopyTo</c> when the two overlap: every element is read before it is overwritten.
    /// Views of one array (known from their slices) are copied last element first when the destination starts after the
    /// source; views that cannot be told apart from the same array (a reassigned variable, an element of a jagged array,
    /// two parameters) are copied through a fresh array; anything else (a fresh array on either side) is copied first to last.
    /// </summary>
    private void CopyElements(Operand from, Operand to, Operand count, IOperation at)
    {
        var (fromRoot, fromOffset) = ViewRoot(from);
        var (toRoot, toOffset) = ViewRoot(to);
        if (fromRoot is not null && ReferenceEquals(fromRoot, toRoot))
        {
            // One array: the order memmove uses (last first when the destination lies after the source).
            var backward = Emit(Opcode.Cmp, IrType.Bool, new[] { toOffset, fromOffset }, CmpKind.Gt);
            CopyLoop(from, to, count, backward, at);
        }
        else if (fromRoot is not null && toRoot is not null && Distinct(fromRoot, toRoot))
        {
            CopyLoop(from, to, count, Lit.False, at);
        }
        else
        {
            var temporary = Alloc(from.Type.Element!, new[] { count }, at);
            CopyLoop(from, temporary, count, Lit.False, at);
            CopyLoop(temporary, to, count, Lit.False, at);
        }
    }

    /// <summary>
    /// Two different roots that cannot be one array: two arrays the method allocated (new, stackalloc, ToArray), or one of
    /// them and a parameter of the method (which holds its array from before the call). Two parameters may be one array.
    /// </summary>
    private bool Distinct(Var a, Var b)
    {
        bool Fresh(Var v) => _defs.TryGetValue(v, out var def) && def.Op == Opcode.Alloc;
        bool Parameter(Var v) => v.Role == VarRole.Parameter && !_defs.ContainsKey(v);
        return !ReferenceEquals(a, b) && ((Fresh(a) && (Fresh(b) || Parameter(b))) || (Parameter(a) && Fresh(b)));
    }

    /// <summary>
    /// The array an array operand is a view of, through slices and moves of variables assigned once, and the element
    /// offset of the view in it; a null root when that cannot be told (a reassigned variable, an element of a jagged
    /// array, a choice between arrays).
    /// </summary>
    private (Var? Root, Operand Offset) ViewRoot(Operand array)
    {
        Operand offset = Lit.Int(0);
        var current = array;
        for (int depth = 0; depth < 256; depth++)
        {
            if (current is not Var v || v.Mutable)
            {
                return (null, offset);
            }

            if (!_defs.TryGetValue(v, out var def) || def.Op == Opcode.Alloc)
            {
                return (v, offset);
            }

            switch (def.Op)
            {
                case Opcode.Slice:
                    offset = Emit(Opcode.IAdd, IrType.Int32, new[] { def.Args[1], offset });
                    current = def.Args[0];
                    continue;
                case Opcode.Copy when def.Args[0].Type.IsArray:
                    current = def.Args[0];
                    continue;
                default:
                    return (null, offset);
            }
        }

        return (null, offset);
    }

    /// <summary>Reverses the first count elements of an array or span in place: a[i] and a[count − 1 − i] swapped for i below count / 2.</summary>
    private void ReverseElements(Operand array, Operand count, IOperation at)
    {
        var i = new SyntheticKey("i");
        Bind(i, new Scalar(Lit.Int(0)));
        var half = Emit(Opcode.IDiv, IrType.Int32, new[] { count, Lit.Int(2) });
        var last = Emit(Opcode.ISub, IrType.Int32, new[] { count, Lit.Int(1) });
        EmitLoop(
            "reverse",
            false,
            false,
            null,
            null,
            () => Emit(Opcode.Cmp, IrType.Bool, new[] { ((Scalar)_env.Get(i)!).Operand, half }, CmpKind.Lt),
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                var mirror = Emit(Opcode.ISub, IrType.Int32, new[] { last, k });
                var a = Emit(Opcode.Load, array.Type.Element!, new[] { array, k });
                var b = Emit(Opcode.Load, array.Type.Element!, new[] { array, mirror });
                var first = new Store(array, new[] { k }, b, accumulate: false);
                var second = new Store(array, new[] { mirror }, a, accumulate: false);
                _block.Add(first);
                _block.Add(second);
                Writes.Add((first, at.Syntax.GetLocation(), SourceText(at.Syntax))); // one record: both write the same array
                return Flow.Normal;
            },
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                Bind(i, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { k, Lit.Int(1) })));
            },
            at);
        _env.Remove(i);
    }

    /// <summary>to[j] = from[j] for j below count: j counts up, or down when <paramref name="backward"/> is true.</summary>
    private void CopyLoop(Operand from, Operand to, Operand count, Operand backward, IOperation at)
    {
        var i = new SyntheticKey("i");
        Bind(i, new Scalar(Lit.Int(0)));
        var last = backward is Lit { Text: "false" } ? null : Emit(Opcode.ISub, IrType.Int32, new[] { count, Lit.Int(1) });
        EmitLoop(
            "copy",
            false,
            false,
            null,
            null,
            () => Emit(Opcode.Cmp, IrType.Bool, new[] { ((Scalar)_env.Get(i)!).Operand, count }, CmpKind.Lt),
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                var j = last is null ? k : Emit(Opcode.Select, IrType.Int32, new[] { backward, Emit(Opcode.ISub, IrType.Int32, new[] { last, k }), k });
                var x = Emit(Opcode.Load, from.Type.Element!, new[] { from, j });
                var store = new Store(to, new[] { j }, x, accumulate: false);
                _block.Add(store);
                Writes.Add((store, at.Syntax.GetLocation(), SourceText(at.Syntax)));
                return Flow.Normal;
            },
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                Bind(i, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { k, Lit.Int(1) })));
            },
            at);
        _env.Remove(i);
    }

    /// <summary>to[i / columns, i % columns] = from[i / columns, i % columns] for i below count: a copy of a double[,] of that many columns.</summary>
    private void CopyMatrix(Operand from, Operand to, Operand columns, Operand count, IOperation at)
    {
        var i = new SyntheticKey("i");
        Bind(i, new Scalar(Lit.Int(0)));
        EmitLoop(
            "copy",
            false,
            false,
            null,
            null,
            () => Emit(Opcode.Cmp, IrType.Bool, new[] { ((Scalar)_env.Get(i)!).Operand, count }, CmpKind.Lt),
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                var row = Emit(Opcode.IDiv, IrType.Int32, new[] { k, columns });
                var column = Emit(Opcode.IRem, IrType.Int32, new[] { k, columns });
                var x = Emit(Opcode.Load, from.Type.Element!, new[] { from, row, column });
                var store = new Store(to, new[] { row, column }, x, accumulate: false);
                _block.Add(store);
                Writes.Add((store, at.Syntax.GetLocation(), SourceText(at.Syntax)));
                return Flow.Normal;
            },
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                Bind(i, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { k, Lit.Int(1) })));
            },
            at);
        _env.Remove(i);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Arrays the method creates

    private Operand Alloc(IrType element, Operand[] lengths, IOperation at)
    {
        var type = IrType.ArrayOf(element, ArrayForm.Array, lengths.Length);
        return Emit(Opcode.Alloc, type, lengths, new AllocInfo(AllocKind.Heap, null), SourceText(at.Syntax), "array");
    }

    private FValue LowerArrayCreation(IArrayCreationOperation creation)
    {
        var type = Concrete(creation.Type!) as IArrayTypeSymbol;
        if (type is { Rank: 1 } && Concrete(type.ElementType) is INamedTypeSymbol { IsTupleType: true } tupleType)
        {
            return LowerTupleArrayCreation(creation, tupleType);
        }

        if (type is { Rank: 1 } && IsStructType(type.ElementType) && LowerStructArrayCreation(creation, Concrete(type.ElementType)) is { } structs)
        {
            return structs;
        }

        if (type is not null && Concrete(type.ElementType) is IArrayTypeSymbol && InnermostElement(type) is var innermost && (IsStructType(innermost) || TypeMap.IsTuple(innermost)))
        {
            // new V[n][]: its rows would be arrays of structs, which are held as one array per member, not as objects.
            string element = innermost.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            return NotYet(creation, "An array of arrays of '" + element + "'", "keep each row's " + element + "[] in a local of its own, or one flat " + element + "[] indexed by row * columns + column");
        }

        var irType = type is null ? null : IrTypeOf(type);
        if (type is null || irType is null || irType.Element!.Kind == ValueKind.Data && !irType.Element.IsArray)
        {
            var element = type?.ElementType;
            string name = element?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) ?? "this element type";
            return element switch
            {
                { TypeKind: TypeKind.Struct } => NotYet(creation, "An array of the struct '" + name + "'" + (type is { Rank: > 1 } ? " with more than one dimension" : IsStructType(element) ? " with a member that is not a number" : string.Empty), "keep its members in arrays of numbers (one array per member, or a double[] with one run of numbers per element) and build the struct where it is used (new " + name + "(xs[i], ys[i]))"),
                { TypeKind: TypeKind.Delegate } => NotYet(creation, "An array of the delegates '" + name + "'", "call the functions directly, choosing with a switch on the index (k switch { 0 => Math.Sin(x), _ => x * x }) or if/else"),
                _ => NotYet(creation, "An array of '" + name + "'", "create arrays of double, float, integers or bools (or arrays of those)"),
            };
        }

        Operand[] lengths;
        if (creation.Initializer is { } init && creation.DimensionSizes.All(d => d.ConstantValue.HasValue) && type.Rank == 1)
        {
            lengths = new Operand[] { Lit.Int(init.ElementValues.Length) };
        }
        else
        {
            lengths = creation.DimensionSizes.Select(LowerIndex).ToArray();
        }

        var array = Alloc(irType.Element, lengths, creation);
        if (creation.Initializer is { } initializer)
        {
            InitializeElements(array, initializer, new List<Operand>(), creation);
        }

        return new Scalar(array);
    }

    /// <summary>A local array of tuples of numbers: one array per number of the tuple, each element stored into them.</summary>
    private FValue LowerTupleArrayCreation(IArrayCreationOperation creation, INamedTypeSymbol tupleType)
    {
        Operand length = creation.Initializer is { } init && creation.DimensionSizes.All(d => d.ConstantValue.HasValue)
            ? Lit.Int(init.ElementValues.Length)
            : LowerIndex(creation.DimensionSizes[0]);
        if (ComponentArrays(tupleType, length, creation) is not TupleValue components)
        {
            return NotYet(creation, "An array of tuples that are not all numbers", "create one array of numbers per element of the tuple");
        }

        if (creation.Initializer is { } initializer)
        {
            for (int i = 0; i < initializer.ElementValues.Length; i++)
            {
                var v = initializer.ElementValues[i];
                if (!StoreTuple(components, Lit.Int(i), LowerExpr(v), v))
                {
                    return Unsupported(v, "this element of an array of tuples", "write a tuple (a, b) of numbers");
                }
            }
        }

        return new TupleArrayValue(components);
    }

    /// <summary>
    /// A local array of structs of numbers (new Rigid[n], new V3[] { a, b }): one array per number of the struct, as for
    /// tuples; its elements start as default(S), every array zero, as new S[n] leaves them. Null (and nothing emitted)
    /// when a member, or a member's member, is not a number: such an array stays refused.
    /// </summary>
    private FValue? LowerStructArrayCreation(IArrayCreationOperation creation, ITypeSymbol structType)
    {
        if (!AllNumbers(structType, 0))
        {
            return null;
        }

        Operand length = creation.Initializer is { } init && creation.DimensionSizes.All(d => d.ConstantValue.HasValue)
            ? Lit.Int(init.ElementValues.Length)
            : LowerIndex(creation.DimensionSizes[0]);
        return StructArray(creation, structType, length, creation.Initializer?.ElementValues);
    }

    /// <summary>A struct array of the given length, its first elements the values given (a collection expression [p, q] or an initializer).</summary>
    private FValue StructArray(IOperation creation, ITypeSymbol structType, Operand length, IReadOnlyList<IOperation>? elements)
    {
        var components = ComponentArrays(structType, length, creation)!;
        if (elements is not null)
        {
            for (int i = 0; i < elements.Count; i++)
            {
                var v = elements[i];
                if (!StoreTuple(components, Lit.Int(i), LowerExpr(v), v))
                {
                    return Unsupported(v, "this element of an array of structs", "write a value of the struct (new " + structType.Name + "(...))");
                }
            }
        }

        return new TupleArrayValue(components);
    }

    private ITypeSymbol InnermostElement(IArrayTypeSymbol type)
    {
        ITypeSymbol element = type.ElementType;
        while (Concrete(element) is IArrayTypeSymbol inner)
        {
            element = inner.ElementType;
        }

        return Concrete(element);
    }

    /// <summary>A struct (or tuple) whose members, and their members, are all numbers: its array can be held as one array per number.</summary>
    private bool AllNumbers(ITypeSymbol t, int depth)
    {
        t = Concrete(t);
        if (depth > 8)
        {
            return false;
        }

        if (t is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            return tuple.TupleElements.All(e => AllNumbers(e.Type, depth + 1));
        }

        if (IsStructType(t))
        {
            var fields = TypeMap.StructFields(t);
            return fields.Count > 0 && fields.All(f => AllNumbers(f.Type, depth + 1));
        }

        return IrTypeOf(t) is { } ir && (ir.IsReal || ir.IsInt || ir.IsBool);
    }

    /// <summary>One new array per number of a tuple or struct type, in its shape; null if a leaf is not a number.</summary>
    private FValue? ComponentArrays(ITypeSymbol type, Operand length, IOperation at)
    {
        type = Concrete(type);
        if (type is not INamedTypeSymbol { IsTupleType: true } && IsStructType(type))
        {
            var fields = TypeMap.StructFields(type);
            var values = new FValue[fields.Count];
            for (int i = 0; i < values.Length; i++)
            {
                if (ComponentArrays(fields[i].Type, length, at) is not { } field)
                {
                    return null;
                }

                values[i] = field;
            }

            return new StructValue(type, fields, values);
        }

        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            var items = new FValue[tuple.TupleElements.Length];
            for (int i = 0; i < items.Length; i++)
            {
                if (ComponentArrays(tuple.TupleElements[i].Type, length, at) is not { } item)
                {
                    return null;
                }

                items[i] = item;
            }

            return new TupleValue(items);
        }

        return IrTypeOf(type) is { } ir && (ir.IsReal || ir.IsInt || ir.IsBool) ? new Scalar(Alloc(ir, new[] { length }, at)) : null;
    }

    private bool StoreTuple(FValue components, Operand index, FValue value, IOperation at)
    {
        switch (components)
        {
            case TupleValue shape when value is TupleValue tv && tv.Items.Length == shape.Items.Length:
                for (int i = 0; i < shape.Items.Length; i++)
                {
                    if (!StoreTuple(shape.Items[i], index, tv.Items[i], at))
                    {
                        return false;
                    }
                }

                return true;
            case StructValue shape when value is StructValue sv && sv.Values.Length == shape.Values.Length:
                for (int i = 0; i < shape.Values.Length; i++)
                {
                    if (!StoreTuple(shape.Values[i], index, sv.Values[i], at))
                    {
                        return false;
                    }
                }

                return true;
            case StructValue shape when value is Scalar { Operand: { Type.Kind: ValueKind.Data } data } && data is not Poison && DataStructParts(data, shape) is { } parts:
                // abs[0] = offsets[0], a struct of a [NoDerivative] array: its members read as data, stored member by
                // member (refused before with advice to store what was stored; red-team).
                return StoreTuple(shape, index, parts, at);
            case Scalar { Operand: var array } when value is Scalar { Operand: var x } && !x.Type.IsArray && x.Type.Kind != ValueKind.Data:
                StoreElement(array, new[] { index }, value, at);
                return true;
            default:
                return false;
        }
    }

    /// <summary>A struct that is data taken apart into the members of <paramref name="shape"/>, each read as data; null when one cannot be named.</summary>
    private StructValue? DataStructParts(Operand data, StructValue shape)
    {
        var values = new FValue[shape.Fields.Count];
        for (int i = 0; i < shape.Fields.Count; i++)
        {
            var field = shape.Fields[i];
            ISymbol named = field.AssociatedSymbol is IPropertySymbol property ? property : field;
            if (!Accessible(named) || named.Name.Contains('<'))
            {
                return null;
            }

            var type = Concrete(field.Type);
            var irType = IrTypeOf(type) ?? IrType.Data(type.ToDisplayString(TypeMap.Qualified));
            string member = Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(named.Name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + named.Name : named.Name;
            values[i] = new Scalar(Emit(Opcode.Opaque, irType, new[] { data }, new OpaqueInfo(new[] { string.Empty, "." + member }, pure: true, effectFree: true)));
        }

        return new StructValue(shape.Type, shape.Fields, values);
    }

    /// <summary>The tuple at an index of an array of tuples: a read of each of its arrays.</summary>
    private FValue TupleAt(FValue components, Operand index, IOperation at) => components switch
    {
        TupleValue shape => new TupleValue(shape.Items.Select(item => TupleAt(item, index, at)).ToArray()),
        StructValue shape => new StructValue(shape.Type, shape.Fields, shape.Values.Select(item => TupleAt(item, index, at)).ToArray()),
        Scalar { Operand: var array } => new Scalar(Load(array, new[] { index }, at)),
        _ => components,
    };

    private static Operand FirstComponent(FValue components) => components switch
    {
        TupleValue shape => FirstComponent(shape.Items[0]),
        StructValue shape => FirstComponent(shape.Values[0]),
        Scalar s => s.Operand,
        _ => Poison.Of(IrType.Object),
    };

    private void InitializeElements(Operand array, IArrayInitializerOperation initializer, List<Operand> prefix, IOperation at)
    {
        for (int i = 0; i < initializer.ElementValues.Length; i++)
        {
            var v = initializer.ElementValues[i];
            var index = new List<Operand>(prefix) { Lit.Int(i) };
            if (v is IArrayInitializerOperation nested)
            {
                InitializeElements(array, nested, index, at);
                continue;
            }

            StoreElement(array, index.ToArray(), LowerExpr(v), v);
        }
    }

    private FValue LowerCollectionExpression(ICollectionExpressionOperation collection)
    {
        if (TryLowerListCreation(collection) is { } list)
        {
            return list;
        }

        var type = Concrete(collection.Type!);
        if (type is not IArrayTypeSymbol && !TypeMap.IsSpan(type) && IsDataCollection(type))
        {
            // List<int> idx = [0, 2, .. rest]: a collection of values that carry no derivative runs as written.
            return OpaqueValue(collection, pure: false);
        }

        if (type is IArrayTypeSymbol { Rank: 1 } structArray && IsStructType(structArray.ElementType) && AllNumbers(structArray.ElementType, 0)
            && !collection.Elements.Any(e => e is ISpreadOperation))
        {
            // P[] ps = [p, new P(a, b)]: as new P[] { ... }.
            return StructArray(collection, Concrete(structArray.ElementType), Lit.Int(collection.Elements.Length), collection.Elements);
        }

        var irType = IrTypeOf(type);
        if (irType is null || !irType.IsVector || (irType.Element!.Kind == ValueKind.Data && !irType.Element.IsArray))
        {
            if (collection.IsImplicit || collection.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.CollectionExpressionSyntax)
            {
                // SumL(x[0], x[1]) of SumL(params List<double> v): the compiler's collection for a params parameter.
                return NotYet(collection, "A params parameter of type '" + type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'",
                    "declare it params double[] or params ReadOnlySpan<double>");
            }

            return NotYet(collection, "A collection expression of this type", "use [..] for arrays and spans of numbers");
        }

        if (collection.Elements.Any(e => e is ISpreadOperation))
        {
            return LowerSpreadCollection(collection, irType);
        }

        var array = Alloc(irType.Element, new Operand[] { Lit.Int(collection.Elements.Length) }, collection);
        for (int i = 0; i < collection.Elements.Length; i++)
        {
            StoreElement(array, new Operand[] { Lit.Int(i) }, LowerExpr(collection.Elements[i]), collection.Elements[i]);
        }

        return new Scalar(irType.Form == ArrayForm.Array ? array : Emit(Opcode.Copy, irType, new[] { array }));
    }

    /// <summary>
    /// [.. h, .. x] or [.. h, 1.0, .. g] (an LSTM's hidden state and input side by side): the elements in order, each
    /// spread an array or span of the same element type, copied into a new array of the total length.
    /// </summary>
    private FValue LowerSpreadCollection(ICollectionExpressionOperation collection, IrType irType)
    {
        var parts = new List<(Operand? Spread, FValue? Value, IOperation At)>();
        foreach (var element in collection.Elements)
        {
            if (element is ISpreadOperation spread)
            {
                var source = LowerExpr(spread.Operand);
                if (source is ListValue held && held.Element.Equals(irType.Element) && AsSequence(spread.Operand) is { } listElements)
                {
                    // [.. l] of a list the method builds: its elements up to the count, copied as ToArray() copies them.
                    source = new Scalar(SequenceToArray(listElements, held.Element, spread));
                }

                if (source is Scalar { Operand: { Type.IsVector: false } data } && data is not Poison && SequenceElement(spread.Operand.Type) is { } dataElement
                    && dataElement.Equals(irType.Element))
                {
                    // [.. idx] of a List<int>, or of any other collection of data the method keeps (a list that stays
                    // data never holds a differentiated value: that is refused where it goes in): its elements copied
                    // as written, as the spread copies them (a null collection throws NullReferenceException, as there).
                    source = new Scalar(Emit(Opcode.Opaque, IrType.ArrayOf(dataElement, ArrayForm.Array, 1), new[] { data },
                        new OpaqueInfo(new[] { "global::System.Linq.Enumerable.ToArray(", " ?? throw new global::System.NullReferenceException())" }, pure: false, effectFree: false)));
                }

                if (source is SequenceValue query && SequenceElement(spread.Operand.Type) is { } queryElement && queryElement.Equals(irType.Element))
                {
                    // [.. h, .. g.Select(v => v * v)]: the query's elements into an array first, as ToArray() would
                    // (with Where: counted first, then stored).
                    source = new Scalar(SequenceToArray(query, queryElement, spread));
                }

                if (source is not Scalar { Operand: { Type.IsVector: true } spreadArray } || !spreadArray.Type.Element!.Equals(irType.Element))
                {
                    return source is Scalar { Operand: Poison } p ? p : NotYet(spread, "A spread (..) of this value in a collection expression", "spread arrays and spans of the same element type, or copy the elements with a loop");
                }

                parts.Add((spreadArray, null, spread));
            }
            else
            {
                parts.Add((null, LowerExpr(element), element));
            }
        }

        Operand total = Lit.Int(0);
        var lengths = new Operand?[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            lengths[i] = parts[i].Spread is { } spread ? Emit(Opcode.Length, IrType.Int32, new[] { spread }) : null;
            total = Emit(Opcode.IAdd, IrType.Int32, new[] { total, lengths[i] ?? Lit.Int(1) });
        }

        var array = Alloc(irType.Element!, new[] { total }, collection);
        Operand offset = Lit.Int(0);
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i].Spread is { } spread)
            {
                CopyElements(spread, Emit(Opcode.Slice, array.Type.WithForm(ArrayForm.Span), new[] { array, offset, lengths[i]! }), lengths[i]!, parts[i].At);
                offset = Emit(Opcode.IAdd, IrType.Int32, new[] { offset, lengths[i]! });
            }
            else
            {
                StoreElement(array, new[] { offset }, parts[i].Value!, parts[i].At);
                offset = Emit(Opcode.IAdd, IrType.Int32, new[] { offset, Lit.Int(1) });
            }
        }

        return new Scalar(irType.Form == ArrayForm.Array ? array : Emit(Opcode.Copy, irType, new[] { array }));
    }

    private FValue LowerStackAlloc(IOperation op)
    {
        if (op.Type is not null && Concrete(op.Type) is INamedTypeSymbol { TypeArguments.Length: 1 } spanType && IsStructType(spanType.TypeArguments[0]))
        {
            // Span<P> s = stackalloc P[n]: its elements' members were written as into the caller's data (SG0018 at the
            // write, "an array the method did not create"; red-team, stop 32).
            return NotYet(op, "A stackalloc of structs", "make an array of them, var s = new " + spanType.TypeArguments[0].Name + "[n];, whose elements' members the method may write");
        }

        var type = op.Type is null ? null : IrTypeOf(Concrete(op.Type));
        var element = type?.Element;
        if (element is null)
        {
            return NotYet(op, "This stackalloc", "write Span<double> s = stackalloc double[n];");
        }

        var children = op.ChildOperations.ToList();
        var syntax = op.Syntax;
        Operand length;
        var initializer = syntax switch
        {
            StackAllocArrayCreationExpressionSyntax s => s.Initializer,
            ImplicitStackAllocArrayCreationExpressionSyntax s => s.Initializer,
            _ => null,
        };
        if (initializer is not null)
        {
            length = Lit.Int(initializer.Expressions.Count);
        }
        else if (children.Count >= 1)
        {
            length = LowerIndex(children[0]);
        }
        else
        {
            return NotYet(op, "This stackalloc", "write stackalloc double[n]");
        }

        var array = Alloc(element, new[] { length }, op);
        if (initializer is not null)
        {
            var values = children.Skip(children.Count - initializer.Expressions.Count).ToList();
            for (int i = 0; i < values.Count; i++)
            {
                StoreElement(array, new Operand[] { Lit.Int(i) }, LowerExpr(values[i]), values[i]);
            }
        }

        return new Scalar(Emit(Opcode.Copy, IrType.ArrayOf(element, ArrayForm.Span), new[] { array }));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Structs and tuples

    /// <summary>A List&lt;T&gt; or HashSet&lt;T&gt; of a T that carries no derivative (integers, bools, strings, enums).</summary>
    private static bool IsDataCollection(ITypeSymbol? type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
        && named.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.List<T>" or "System.Collections.Generic.HashSet<T>"
        && CarriesNoDerivative(named.TypeArguments[0]);

    /// <summary>
    /// Enumerable.Range(0, n).ToList(), idx.Where(i => i % 2 == 0).ToList(): a list of integers (or other values that
    /// carry no derivative). Without a lambda it runs as written; with one, the query is lowered as ToArray would be
    /// and the list made from that array. Either way it is refused if what builds it varies.
    /// </summary>
    private FValue LowerDataToList(IInvocationOperation inv)
    {
        bool hasLambda = inv.Syntax.DescendantNodes().Any(n => n is AnonymousFunctionExpressionSyntax or QueryExpressionSyntax);
        if (!hasLambda || inv.TargetMethod.Name != "ToList" || inv.Arguments.Length != 1
            || IrTypeOf(Concrete(((INamedTypeSymbol)inv.Type!).TypeArguments[0])) is not { IsInt: true } element)
        {
            return OpaqueValue(inv, pure: false);
        }

        var source = AsSequence(inv.Arguments[0].Value);
        if (source is null)
        {
            return new Scalar(Poison.Of(IrTypeOrData(inv.Type)));
        }

        var array = SequenceToArray(source, element, inv);
        var args = new Operand[] { array };
        bool checkedHere = CheckCarriesNoDerivative(inv, inv.Type, args);
        var list = Emit(Opcode.Opaque, IrTypeOrData(inv.Type), args,
            new OpaqueInfo(new[] { "new " + inv.Type!.ToDisplayString(TypeMap.Qualified) + "(", ")" }, pure: false, effectFree: false), SourceText(inv.Syntax));
        if (checkedHere)
        {
            _checkedAtCreation.Add(list);
        }

        return new Scalar(list);
    }

    private FValue LowerObjectCreation(IObjectCreationOperation creation)
    {
        if (TryLowerListCreation(creation) is { } list)
        {
            return list;
        }

        var type = Concrete(creation.Type!);
        if (TypeMap.IsTuple(type) && ZeroOf(type, creation) is TupleValue zeroTuple)
        {
            // (double a, double b) t = new(); or new ValueTuple<double, double>(x, y): a tuple, as (0, 0) or (x, y) is.
            FValue tuple = zeroTuple;
            if (creation.Constructor is { Parameters.Length: > 0 } tupleCtor)
            {
                var items = ArgumentsOf(creation.Arguments, tupleCtor);
                if (items.Length != zeroTuple.Items.Length || items.Any(i => i is null))
                {
                    return NotYet(creation, "This tuple construction", "write the tuple literal, (a, b)");
                }

                tuple = new TupleValue(items.Select(i => i!).ToArray());
            }

            return creation.Initializer is { } tupleInit ? ApplyObjectInitializer(tuple, tupleInit) : tuple;
        }

        if (IsStructType(type))
        {
            var zero = (StructValue)ZeroOf(type, creation);
            FValue value = zero;
            if (creation.Constructor is { } primary && IsPrimaryConstructor(primary))
            {
                value = ConstructPrimary(creation, primary, zero, ArgumentsOf(creation.Arguments, primary));
            }
            else if (creation.Constructor is { IsImplicitlyDeclared: false } ctor)
            {
                value = Construct(creation, ctor, zero);
            }
            else if (creation.Constructor is { IsImplicitlyDeclared: true, Parameters.Length: > 0 })
            {
                value = NotYet(creation, "This constructor, which the compiler declares", "give the struct an explicit constructor");
            }

            // new S() without a declared parameterless constructor is default(S): no field initializer runs.
            if (creation.Initializer is { } init)
            {
                value = ApplyObjectInitializer(value, init);
            }

            return value;
        }

        // new Span<double>(array), new ReadOnlySpan<double>(array, start, length): views of the array.
        if (TypeMap.IsSpan(type) && creation.Initializer is null && creation.Arguments.Length is 1 or 3
            && creation.Arguments[0].Value.Type is IArrayTypeSymbol { Rank: 1 } && LowerExpr(creation.Arguments[0].Value) is Scalar { Operand: { Type.IsArray: true } viewed })
        {
            var form = TypeMap.IsReadOnlySpan(type) ? ArrayForm.ReadOnlySpan : ArrayForm.Span;
            if (creation.Arguments.Length == 1)
            {
                return new Scalar(Emit(Opcode.Copy, viewed.Type.WithForm(form), new[] { viewed }, source: SourceText(creation.Syntax)));
            }

            var start = LowerIndex(creation.Arguments[1].Value);
            var count = LowerIndex(creation.Arguments[2].Value);
            return new Scalar(Emit(Opcode.Slice, viewed.Type.WithForm(form), new[] { viewed, start, count }, source: SourceText(creation.Syntax)));
        }

        if (TypeMap.IsNullableValue(type, out var u))
        {
            if (creation.Arguments.Length == 1)
            {
                return new NullableValue(Lit.True, LowerExpr(creation.Arguments[0].Value));
            }

            return new NullableValue(Lit.False, ZeroOf(u, creation));
        }

        // A data object (an exception, a Random...): created as written.
        return OpaqueValue(creation, pure: false);
    }

    /// <summary>
    /// new S(args) with an explicit constructor: its body on a fresh value (InlineCall runs the field initializers first,
    /// or the constructor it chains to with : this(...)).
    /// </summary>
    private FValue Construct(IObjectCreationOperation creation, IMethodSymbol ctor, StructValue zero)
    {
        var self = new SyntheticKey("this");
        Bind(self, zero);
        var values = new FValue?[ctor.Parameters.Length];
        var refs = new RefValue?[ctor.Parameters.Length];
        foreach (var a in creation.Arguments)
        {
            if (a.Parameter is { } p)
            {
                if (p.RefKind is RefKind.Ref or RefKind.Out)
                {
                    refs[p.Ordinal] = RefTo(a.Value);
                }
                else
                {
                    values[p.Ordinal] = LowerExpr(a.Value);
                }
            }
        }

        InlineCall(creation, ctor, RefValue.ToVariable(self), values, refs);
        var result = _env.Get(self) ?? zero;
        _env.Remove(self);
        return result;
    }

    /// <summary>
    /// What a struct constructor does before its body: with : this(...), the constructor it chains to (a declared one
    /// inlined on the same value, the primary one by its semantics, the default one zeroing the value and running the
    /// field initializers); otherwise the field initializers.
    /// </summary>
    private void StartConstructor(IOperation at, IOperation? initializer, RefValue self, StructValue fresh)
    {
        if (initializer is IExpressionStatementOperation statement)
        {
            initializer = statement.Operation;
        }

        if (initializer is not IInvocationOperation { TargetMethod: { MethodKind: MethodKind.Constructor } target } chained)
        {
            if (initializer is not null)
            {
                Unsupported(initializer, "this constructor initializer", "chain to another constructor with : this(...)");
                return;
            }

            WriteRef(self, ApplyFieldInitializers(fresh, at), at);
            return;
        }

        var zero = (StructValue)ZeroOf(fresh.Type, at);
        if (IsPrimaryConstructor(target))
        {
            WriteRef(self, ConstructPrimary(chained, target, zero, ArgumentsOf(chained.Arguments, target)), at);
        }
        else if (target.IsImplicitlyDeclared)
        {
            WriteRef(self, target.Parameters.Length == 0 ? ApplyFieldInitializers(zero, at) : NotYet(chained, "This constructor, which the compiler declares", "chain to a constructor you declare"), at);
        }
        else
        {
            var values = new FValue?[target.Parameters.Length];
            var refs = new RefValue?[target.Parameters.Length];
            foreach (var a in chained.Arguments)
            {
                if (a.Parameter is { } p)
                {
                    if (p.RefKind is RefKind.Ref or RefKind.Out)
                    {
                        refs[p.Ordinal] = RefTo(a.Value);
                    }
                    else
                    {
                        values[p.Ordinal] = LowerExpr(a.Value);
                    }
                }
            }

            WriteRef(self, zero, at);
            InlineCall(chained, target, self, values, refs);
        }
    }

    /// <summary>
    /// The constructor a type's parameter list declares (record struct P(double X, double Y), struct S(double a)): it
    /// has no body to read.
    /// </summary>
    private static bool IsPrimaryConstructor(IMethodSymbol ctor) =>
        ctor.MethodKind == MethodKind.Constructor && ctor.DeclaringSyntaxReferences.Length == 1
        && ctor.DeclaringSyntaxReferences[0].GetSyntax() is TypeDeclarationSyntax { ParameterList: not null };

    /// <summary>The values of a call's arguments by parameter (optional ones included: the operation holds their defaults).</summary>
    private FValue?[] ArgumentsOf(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, IMethodSymbol method)
    {
        var values = new FValue?[method.Parameters.Length];
        foreach (var a in arguments)
        {
            if (a.Parameter is { } p && p.Ordinal < values.Length)
            {
                values[p.Ordinal] = LowerExpr(a.Value);
            }
        }

        return values;
    }

    /// <summary>
    /// A primary constructor on a fresh value. Its semantics: the parameters are in scope of the field and property
    /// initializers, which run (each a function of the parameters and of statics: an initializer cannot read this);
    /// each positional property of a record struct that the compiler declares is initialized from its parameter (one
    /// the user declares in the body keeps its own initializer, or none); a parameter that the type's members read is
    /// kept in a hidden field the compiler declares (a slot of the value like any field, see
    /// <see cref="PrimaryParameterPlace"/>); every other field is zero.
    /// </summary>
    private FValue ConstructPrimary(IOperation at, IMethodSymbol ctor, StructValue zero, FValue?[] args)
    {
        var def = ctor.OriginalDefinition;
        foreach (var f in zero.Fields)
        {
            if (IsHiddenField(f) && !def.Parameters.Any(p => f.Name == HiddenFieldName(p)))
            {
                return NotYet(at, "A field of '" + zero.Type.Name + "' that the compiler declares (" + f.Name + ")", "give the struct an explicit constructor");
            }
        }

        var declaration = def.DeclaringSyntaxReferences[0].GetSyntax(_ct);
        _dependencies?.Add(declaration);
        var model = ModelFor(declaration.SyntaxTree);
        if (model is null)
        {
            return NotYet(at, "This constructor", "give the struct an explicit constructor");
        }

        var keysBefore = new HashSet<object>(_env.Keys, KeyComparerInstance);
        var frame = NewFunctionFrame(def, model, null, TypeArgumentsOf(ctor));
        frame.ReturnType = null;
        _frames.Add(frame);
        FValue value = zero;
        try
        {
            for (int i = 0; i < def.Parameters.Length; i++)
            {
                var p = def.Parameters[i];
                if (i < args.Length && args[i] is { } v)
                {
                    Bind(p, v);
                }
                else if (p.HasExplicitDefaultValue)
                {
                    Bind(p, new Scalar(Constant(p.ExplicitDefaultValue, Concrete(p.Type))));
                }
                else
                {
                    return Unsupported(at, "a call with a missing argument", "pass every argument");
                }
            }

            // struct S(double a) { public double A => a; }: a parameter that members read is kept in a hidden field.
            for (int i = 0; i < zero.Fields.Count; i++)
            {
                if (IsHiddenField(zero.Fields[i]) && value is StructValue hv && def.Parameters.FirstOrDefault(p => zero.Fields[i].Name == HiddenFieldName(p)) is { } kept)
                {
                    value = hv.With(i, _env.Get(kept)!);
                }
            }

            foreach (var (field, initializer, positional) in Initializers(zero.Type))
            {
                if (value is not StructValue sv || sv.IndexOf(field) is var k && k < 0)
                {
                    return NotYet(at, "The field " + TypeMap.FieldDisplayName(field) + " of '" + zero.Type.Name + "'", "give the struct an explicit constructor");
                }

                if (positional is not null)
                {
                    var parameter = def.Parameters.FirstOrDefault(p => p.Name == positional.Name);
                    if (parameter is null || _env.Get(parameter) is not { } given)
                    {
                        return NotYet(at, "The positional property " + positional.Name + " of '" + zero.Type.Name + "'", "give the struct an explicit constructor");
                    }

                    value = sv.With(k, given);
                    continue;
                }

                var op = initializer is null ? null : InitializerValue(initializer);
                if (op is null)
                {
                    return NotYet(at, "The initializer of " + TypeMap.FieldDisplayName(field) + " in '" + zero.Type.Name + "'", "give the struct an explicit constructor");
                }

                var initialized = LowerExpr(op);
                value = value is StructValue current ? current.With(k, initialized) : value;
            }
        }
        finally
        {
            _frames.RemoveAt(_frames.Count - 1);
            foreach (var key in _env.Keys.ToList())
            {
                if (!keysBefore.Contains(key))
                {
                    _env.Remove(key);
                }
            }
        }

        return value;
    }

    /// <summary>The value of a field or property initializer (= (G.Count = a) too: the clause, not its parenthesized expression, has an operation).</summary>
    private IOperation? InitializerValue(EqualsValueClauseSyntax initializer) =>
        (ModelFor(initializer.SyntaxTree)?.GetOperation(initializer, _ct) as ISymbolInitializerOperation)?.Value;

    /// <summary>A field the compiler declares that belongs to no property: a primary constructor parameter that members read.</summary>
    private static bool IsHiddenField(IFieldSymbol f) => f.IsImplicitlyDeclared && f.AssociatedSymbol is null && !f.IsStatic;

    /// <summary>The name Roslyn gives the field that keeps a primary constructor parameter (a field of another name is refused).</summary>
    private static string HiddenFieldName(IParameterSymbol p) => "<" + p.Name + ">P";

    /// <summary>
    /// A primary constructor parameter read or written by a member of its struct (an inlined method, accessor or
    /// operator whose this is a struct place): the hidden field that keeps it. The [Differentiable] method of the struct
    /// itself (this is the caller's value, not a place the generator holds) is refused, as is any other reading.
    /// </summary>
    private RefValue? PrimaryParameterPlace(IParameterSymbol parameter, IOperation at)
    {
        var type = parameter.ContainingType;
        if (Function.This is RefValue self && ReadRef(self, at) is StructValue sv
            && SymbolEqualityComparer.Default.Equals(sv.Type.OriginalDefinition, type.OriginalDefinition))
        {
            for (int i = 0; i < sv.Fields.Count; i++)
            {
                if (IsHiddenField(sv.Fields[i]) && sv.Fields[i].Name == HiddenFieldName(parameter))
                {
                    return RefValue.ToField(self, i);
                }
            }
        }

        if (!HasErrors)
        {
            NotYet(at, "Reading the primary constructor parameter '" + parameter.Name + "' of '" + type.Name + "' here", "store it in a property and read the property: public double A { get; } = " + parameter.Name + ";");
        }

        return null;
    }

    /// <summary>
    /// The instance fields of a struct that its constructors initialize, in declaration order: each with its initializer
    /// (public double Scale = 1; public double A { get; } = a;), or, for a positional property of a record struct that
    /// the compiler declares, the property (initialized from the parameter of the same name).
    /// </summary>
    private static List<(IFieldSymbol Field, EqualsValueClauseSyntax? Initializer, IPropertySymbol? Positional)> Initializers(ITypeSymbol type)
    {
        var list = new List<(IFieldSymbol, EqualsValueClauseSyntax?, IPropertySymbol?)>();
        foreach (var member in type.OriginalDefinition.GetMembers())
        {
            if (member is IFieldSymbol { IsStatic: false, IsConst: false } f && f.AssociatedSymbol is null)
            {
                var initializer = f.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<VariableDeclaratorSyntax>().FirstOrDefault()?.Initializer;
                if (initializer is not null)
                {
                    list.Add((f, initializer, null));
                }
            }
            else if (member is IPropertySymbol { IsStatic: false } p && BackingField(p) is { } backing)
            {
                if (p.DeclaringSyntaxReferences.Length > 0 && p.DeclaringSyntaxReferences.All(r => r.GetSyntax() is ParameterSyntax))
                {
                    list.Add((backing, null, p));
                    continue;
                }

                var initializer = p.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<PropertyDeclarationSyntax>().FirstOrDefault()?.Initializer;
                if (initializer is not null)
                {
                    list.Add((backing, initializer, null));
                }
            }
        }

        return list;
    }

    /// <summary>Field and auto-property initializers of a struct (public double Scale = 1;), run by a constructor that does not chain to another.</summary>
    private FValue ApplyFieldInitializers(StructValue value, IOperation at)
    {
        FValue result = value;
        foreach (var (field, initializer, positional) in Initializers(value.Type))
        {
            if (result is not StructValue sv || sv.IndexOf(field) is var k && k < 0)
            {
                return NotYet(at, "The field " + TypeMap.FieldDisplayName(field) + " of '" + value.Type.Name + "'", "assign the field in the constructor");
            }

            if (positional is not null)
            {
                // Only the primary constructor initializes it, and every other constructor chains to that one.
                continue;
            }

            var op = initializer is null ? null : InitializerValue(initializer);
            if (op is null)
            {
                return NotYet(at, "The initializer of " + TypeMap.FieldDisplayName(field) + " in '" + value.Type.Name + "'", "assign the field in the constructor");
            }

            result = sv.With(k, LowerExpr(op));
        }

        return result;
    }

    /// <summary>
    /// The assignments of an object initializer or a with-expression, in order, on a copy: fields and auto-properties
    /// of structs, elements of tuples, and properties with their own set or init accessor (inlined on the copy).
    /// </summary>
    private FValue ApplyObjectInitializer(FValue value, IObjectOrCollectionInitializerOperation init)
    {
        var self = new SyntheticKey("init");
        Bind(self, value);
        foreach (var i in init.Initializers)
        {
            if (i is ISimpleAssignmentOperation assign && assign.Target is IMemberReferenceOperation member)
            {
                var v = LowerExpr(assign.Value);
                var current = _env.Get(self);
                IFieldSymbol? field = member switch
                {
                    IFieldReferenceOperation fr => fr.Field,
                    IPropertyReferenceOperation pr => AutoSetterField(pr.Property),
                    _ => null,
                };
                if (field is not null && current is StructValue sv && sv.IndexOf(field) is var k && k >= 0)
                {
                    Bind(self, sv.With(k, v));
                    continue;
                }

                if (field is not null && current is TupleValue tv && TupleIndex(field, tv.Items.Length) is var t && t >= 0)
                {
                    var items = (FValue[])tv.Items.Clone();
                    items[t] = v;
                    Bind(self, new TupleValue(items));
                    continue;
                }

                if (member is IPropertyReferenceOperation { Property.ContainingType: { IsAnonymousType: true } anonymousType } anonymousMember && current is TupleValue anonymous
                    && AnonymousPropertyIndex(AnonymousProperties(anonymousType), anonymousMember.Property) is var a && a >= 0 && a < anonymous.Items.Length)
                {
                    // p with { X = 2 * p.X } of an anonymous object: a copy with that member replaced.
                    var items = (FValue[])anonymous.Items.Clone();
                    items[a] = v;
                    Bind(self, new TupleValue(items));
                    continue;
                }

                if (field is null && member is IPropertyReferenceOperation { Property: { IsIndexer: false } property } && current is StructValue && InlinableAccessor(property.SetMethod) is { } setter)
                {
                    // public double X { get => _x; init => _x = Math.Abs(value); }: the accessor runs on the copy.
                    InlineCall(i, setter, RefValue.ToVariable(self), new FValue?[] { v }, new RefValue?[1]);
                    continue;
                }
            }

            Unsupported(i, "this initializer", "initialize fields and properties: new S { X = 1 }");
        }

        var result = _env.Get(self) ?? value;
        _env.Remove(self);
        return result;
    }

    /// <summary>An accessor the generator can inline: its source is in the compilation and it is not virtual.</summary>
    private IMethodSymbol? InlinableAccessor(IMethodSymbol? accessor) =>
        accessor is not null && HasSource(accessor) && !accessor.IsVirtual && !accessor.IsAbstract && !accessor.IsOverride ? accessor : null;

    /// <summary>
    /// A property (or an indexer) of a struct place written through an accessor with a body: a set accessor with one
    /// (inlined on the place), or, for p.X += 1 and p.X++, a get accessor with one (C# 14's get => field * 2), whose
    /// value is read by the getter and written by the setter.
    /// </summary>
    /// <param name="readFirst">
    /// For p.X += 1 and v[i]++: the getter runs first, so the indexer's arguments are lowered twice, which is only right
    /// when they have no side effects (v[k++] += 1 is left to the refusal of writing a property).
    /// </param>
    private bool IsStructSetter(IOperation target, bool readFirst = false)
    {
        if (target is not IPropertyReferenceOperation { Instance: { } instance, Property: var property } pr || !IsStructType(instance.Type))
        {
            return false;
        }

        bool autoSet = AutoSetterField(property) is not null, autoGet = AutoGetterField(property) is not null;
        if (autoSet && (!readFirst || autoGet))
        {
            // A plain field write (and read): the place of the backing field.
            return false;
        }

        return (autoSet || InlinableAccessor(property.SetMethod) is not null)
            && (!readFirst || ((autoGet || InlinableAccessor(property.GetMethod) is not null)
                && !pr.Arguments.Any(a => a.Value.DescendantsAndSelf().Any(d => d is IIncrementOrDecrementOperation or IAssignmentOperation or IInvocationOperation or IObjectCreationOperation))));
    }

    /// <summary>Calls the set accessor of a property or an indexer of a struct place with the value (see <see cref="IsStructSetter"/>).</summary>
    private void AssignThroughSetter(IPropertyReferenceOperation target, FValue value, IOperation at)
    {
        if (AutoSetterField(target.Property) is not null)
        {
            // get => field * 2; set;: the getter had a body, the setter writes the field.
            WritePlace(Place(target), value, at);
            return;
        }

        var setter = target.Property.SetMethod!;
        if (Place(target.Instance!) is not RefValue owner)
        {
            return;
        }

        var values = ArgumentsOf(target.Arguments, setter);
        values[values.Length - 1] = value;
        InlineCall(at, setter, owner, values, new RefValue?[values.Length]);
    }

    /// <summary>
    /// Equals(P) of a record struct: the user's, inlined, or the compiler's, which compares each field with
    /// EqualityComparer&lt;T&gt;.Default (for a double, == or both NaN). Fields of other kinds (arrays, objects, ordinary
    /// structs, whose Equals the generator does not model) are refused, with the rewrite.
    /// </summary>
    private FValue RecordEquals(IOperation at, INamedTypeSymbol record, FValue left, FValue right, int depth)
    {
        var equals = record.GetMembers("Equals").OfType<IMethodSymbol>()
            .FirstOrDefault(m => !m.IsStatic && m.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, record));
        if (equals is not null && !equals.IsImplicitlyDeclared)
        {
            return InlinableAccessor(equals) is { } user ? InlineCall(at, user, left, new FValue?[] { right }, new RefValue?[1]) : Unsupported(at, "this comparison", "compare the members");
        }

        if (depth > 8 || left is not StructValue a || right is not StructValue b || a.Values.Length != b.Values.Length)
        {
            return Unsupported(at, "this comparison of record structs", "compare the members: p.X == q.X && p.Y == q.Y");
        }

        Operand all = Lit.True;
        for (int i = 0; i < a.Values.Length; i++)
        {
            var same = MemberEquals(at, a.Fields[i].Type, a.Values[i], b.Values[i], depth);
            if (same is null)
            {
                return Unsupported(at, "comparing record structs whose member " + TypeMap.FieldDisplayName(a.Fields[i]) + " is not a number, a bool or a record struct",
                    "compare the members: p.X == q.X && p.Y == q.Y");
            }

            all = Emit(Opcode.And, IrType.Bool, new[] { all, same });
        }

        return new Scalar(all);
    }

    /// <summary>EqualityComparer&lt;T&gt;.Default.Equals of two members: numbers (NaN equal to NaN), bools, record structs and tuples of those; null for anything else.</summary>
    private Operand? MemberEquals(IOperation at, ITypeSymbol type, FValue x, FValue y, int depth)
    {
        type = Concrete(type);
        switch (x, y)
        {
            case (Scalar { Operand: var u }, Scalar { Operand: var v }) when u.Type.IsReal && v.Type.IsReal:
                var eq = Emit(Opcode.Cmp, IrType.Bool, new[] { u, v }, CmpKind.Eq);
                var nan = Emit(Opcode.And, IrType.Bool, new[] { Emit(Opcode.Cmp, IrType.Bool, new[] { u, u }, CmpKind.Ne), Emit(Opcode.Cmp, IrType.Bool, new[] { v, v }, CmpKind.Ne) });
                return Emit(Opcode.Or, IrType.Bool, new[] { eq, nan });
            case (Scalar { Operand: var u }, Scalar { Operand: var v }) when (u.Type.IsInt && v.Type.IsInt && u.Type.Equals(v.Type)) || (u.Type.IsBool && v.Type.IsBool):
                return Emit(Opcode.Cmp, IrType.Bool, new[] { u, v }, CmpKind.Eq);
            case (NullableValue nx, NullableValue ny) when TypeMap.IsNullableValue(type, out var underlying):
                // double? members: both null, or both with values the underlying comparer calls equal.
                if (MemberEquals(at, underlying, nx.Value, ny.Value, depth + 1) is not { } values)
                {
                    return null;
                }

                var bothOrNeither = Emit(Opcode.Cmp, IrType.Bool, new[] { nx.HasValue, ny.HasValue }, CmpKind.Eq);
                var noneOrEqual = Emit(Opcode.Or, IrType.Bool, new[] { Emit(Opcode.Not, IrType.Bool, new[] { nx.HasValue }), values });
                return Emit(Opcode.And, IrType.Bool, new[] { bothOrNeither, noneOrEqual });
            case (StructValue, StructValue) when type is INamedTypeSymbol { IsRecord: true, IsValueType: true } nested:
                return RecordEquals(at, nested, x, y, depth + 1) is Scalar { Operand: { Type.Kind: ValueKind.Bool } r } ? r : null;
            case (TupleValue tx, TupleValue ty) when type is INamedTypeSymbol { IsTupleType: true } tuple && tx.Items.Length == ty.Items.Length && tuple.TupleElements.Length == tx.Items.Length:
                Operand all = Lit.True;
                for (int i = 0; i < tx.Items.Length; i++)
                {
                    if (MemberEquals(at, tuple.TupleElements[i].Type, tx.Items[i], ty.Items[i], depth + 1) is not { } same)
                    {
                        return null;
                    }

                    all = Emit(Opcode.And, IrType.Bool, new[] { all, same });
                }

                return all;
            default:
                return null;
        }
    }

    private FValue LowerWith(IWithOperation with)
    {
        var value = LowerExpr(with.Operand);
        if (value is StructValue or TupleValue)
        {
            return ApplyObjectInitializer(value, with.Initializer);
        }

        if (value is Scalar { Operand: { Type.Kind: ValueKind.Data } data } && with.Operand.Type is { } dataType && DataAsValue(data, dataType, 0) is { } members)
        {
            // An element of a [NoDerivative] array or list (p with { Y = w[0] }): a copy whose members are read as data.
            return ApplyObjectInitializer(members, with.Initializer);
        }

        return Unsupported(with, "'with' on this value", "use 'with' on structs");
    }

    /// <summary>
    /// A struct or tuple that is data (an element of a [NoDerivative] array or list) as the value desugaring takes
    /// apart, each member read from it as data; null when a member cannot be named from the generated code (a private
    /// field, a primary constructor's hidden field, a property with a body) or the type is not a struct or tuple.
    /// </summary>
    private FValue? DataAsValue(Operand data, ITypeSymbol type, int depth)
    {
        type = Concrete(type);
        bool tuple = TypeMap.IsTuple(type);
        if (depth > 8 || !(tuple || IsStructType(type)))
        {
            return null;
        }

        var fields = TypeMap.StructFields(type);
        var values = new FValue[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            ISymbol member = f.AssociatedSymbol ?? f;
            if (tuple)
            {
                member = f.CorrespondingTupleField ?? f;
            }

            if (IsHiddenField(f) || !Accessible(member) || (member is IPropertySymbol p && (p.GetMethod is null || !Accessible(p.GetMethod) || !IsAutoAccessor(p.GetMethod))))
            {
                return null;
            }

            string name = Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(member.Name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + member.Name : member.Name;
            var read = Emit(Opcode.Opaque, IrTypeOrData(f.Type), new[] { data }, new OpaqueInfo(new[] { string.Empty, "." + name }, pure: true, effectFree: true));
            if (TypeMap.IsTuple(Concrete(f.Type)) || IsStructType(f.Type))
            {
                if (DataAsValue(read, f.Type, depth + 1) is not { } nested)
                {
                    return null;
                }

                values[i] = nested;
            }
            else
            {
                values[i] = NullableData(read, f.Type) ?? new Scalar(read);
            }
        }

        return tuple ? new TupleValue(values) : new StructValue(type, fields, values);
    }

    private Operand LowerTupleEquality(ITupleBinaryOperation op)
    {
        var left = LowerExpr(op.LeftOperand);
        var right = LowerExpr(op.RightOperand);
        if (left is not TupleValue lt || right is not TupleValue rt || lt.Items.Length != rt.Items.Length)
        {
            Unsupported(op, "this tuple comparison", "compare the elements");
            return Lit.False;
        }

        Operand all = Lit.True;
        for (int i = 0; i < lt.Items.Length; i++)
        {
            var eq = ApplyBinary(op, BinaryOperatorKind.Equals, lt.Items[i], rt.Items[i], _compilation.GetSpecialType(SpecialType.System_Boolean), false);
            all = Emit(Opcode.And, IrType.Bool, new[] { all, eq is Scalar s ? s.Operand : Lit.False });
        }

        return op.OperatorKind == BinaryOperatorKind.Equals ? all : Emit(Opcode.Not, IrType.Bool, new[] { all });
    }

    private SemanticModel? ModelFor(SyntaxTree tree)
    {
        if (_models.TryGetValue(tree, out var m))
        {
            return m;
        }

        if (!_compilation.ContainsSyntaxTree(tree))
        {
            return null;
        }

        m = BodyModels.For(_compilation, tree);
        _models[tree] = m;
        return m;
    }
}
