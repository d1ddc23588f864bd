// Federated credentials on the app identity, made after the cluster exists (they need its OIDC
// issuer URL). A token of a listed Kubernetes ServiceAccount is exchanged for one of the identity.

param identityName string
param oidcIssuerUrl string

@description('Namespace and ServiceAccount of the shop\'s pods.')
param namespace string = 'az-shop'
param serviceAccount string = 'az-shop'

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource shopPods 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2024-11-30' = {
  parent: app
  name: 'aks-${namespace}-${serviceAccount}'
  properties: {
    issuer: oidcIssuerUrl
    subject: 'system:serviceaccount:${namespace}:${serviceAccount}'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}

// The KEDA add-on's operator queries managed Prometheus as this identity (TriggerAuthentication,
// provider azure-workload, identityId = the client id): it needs a credential for its own
// ServiceAccount. Federated credentials of one identity cannot be written concurrently, hence dependsOn.
resource kedaOperator 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2024-11-30' = {
  parent: app
  name: 'aks-kube-system-keda-operator'
  properties: {
    issuer: oidcIssuerUrl
    subject: 'system:serviceaccount:kube-system:keda-operator'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
  dependsOn: [
    shopPods
  ]
}

output subjects array = [
  shopPods.properties.subject
  kedaOperator.properties.subject
]
