import * as pulumi from '@pulumi/pulumi';
import * as azuread from '@pulumi/azuread';
import { entraApplicationName, routerRoleName, type Plan, routerRoleArn } from '@headroom/plan';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from './defaults';
import type { AzureSignInAudience } from './provider-values';
import { checkAzureIdentity, throwOnErrors } from './validate';
import { emitWarnings } from './warnings';

export interface AzureRouterIdentityArgs {
  readonly plan: Plan;
  /**
   * Entra object ids (users or service principals) set as owners of the application and of its
   * service principal. @default none: the azuread provider assigns no owners, not even the
   * deploying principal. List the deploying principal if it only has `Application.ReadWrite.OwnedBy`,
   * or it cannot manage the application afterwards.
   */
  readonly owners?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * The Entra identity the router's AWS role signs in as, without a secret: an application, its
 * service principal, and a federated identity credential trusting the AWS account's outbound
 * web identity issuer (`plan.aws.identityIssuer`) for the router role's tokens
 * (`sub` = `arn:aws:iam::<account>:role/<router role>`). No password or certificate is created.
 * Without an issuer the credential is skipped with a warning; the rest is created.
 */
export class AzureRouterIdentity extends pulumi.ComponentResource {
  static readonly TYPE = 'headroom:azure:RouterIdentity';

  readonly application: azuread.Application;
  readonly servicePrincipal: azuread.ServicePrincipal;
  readonly federatedCredential?: azuread.ApplicationFederatedIdentityCredential;

  /** The application (client) id the router requests tokens for: RouterConfig `auth.clientId`. */
  readonly clientId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;
  /** Object id of the service principal: the role assignments' principal. */
  readonly principalId: pulumi.Output<string>;
  /** The token subject Entra trusts, or undefined when the credential was skipped. */
  readonly subject: pulumi.Output<string | undefined>;

  constructor(name: string, args: AzureRouterIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    const warnings = throwOnErrors(`${AzureRouterIdentity.TYPE} (${name})`, args.plan, checkAzureIdentity(args.plan));
    super(AzureRouterIdentity.TYPE, name, {}, opts);
    emitWarnings(warnings, this);
    const { plan } = args;

    this.application = new azuread.Application(`${name}-app`, {
      displayName: entraApplicationName(plan),
      description: `Headroom router (${plan.name}): AWS role ${routerRoleName(plan)} calls Azure OpenAI without keys`,
      signInAudience: 'AzureADMyOrg' satisfies AzureSignInAudience,
      ...(args.owners !== undefined ? { owners: args.owners } : {}),
    }, { parent: this });

    this.servicePrincipal = new azuread.ServicePrincipal(`${name}-sp`, {
      clientId: this.application.clientId,
      appRoleAssignmentRequired: false,
      ...(args.owners !== undefined ? { owners: args.owners } : {}),
    }, { parent: this });

    const issuer = plan.aws.identityIssuer;
    if (issuer !== undefined) {
      this.federatedCredential = new azuread.ApplicationFederatedIdentityCredential(`${name}-aws-role`, {
        applicationId: this.application.id,
        displayName: routerRoleName(plan),
        description: `Outbound web identity tokens of ${routerRoleArn(plan)}`,
        issuer,
        subject: routerRoleArn(plan),
        audiences: [ENTRA_TOKEN_EXCHANGE_AUDIENCE],
      }, { parent: this });
    }

    this.clientId = this.application.clientId;
    this.tenantId = pulumi.output(plan.azure!.tenant);
    this.principalId = this.servicePrincipal.objectId;
    this.subject = this.federatedCredential ? this.federatedCredential.subject : pulumi.output(undefined);
    this.registerOutputs({ clientId: this.clientId, tenantId: this.tenantId, principalId: this.principalId, subject: this.subject });
  }
}
