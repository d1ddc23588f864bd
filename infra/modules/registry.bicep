// Azure Container Registry. No admin user: AKS pulls with its kubelet identity (AcrPull, granted in
// aks.bicep) and the release pipeline builds with `az acr build` under its own Entra identity.

param location string

@description('Globally unique, 5-50 letters and digits.')
param name string

param tags object

@description('Premium adds zone redundancy and private endpoints; Standard is enough to start.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string = 'Standard'

@description('Object id of the release pipeline\'s service principal (empty: none). It gets Contributor on the registry: `az acr build` queues ACR Tasks runs.')
param deployPrincipalId string = ''

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
    zoneRedundancy: sku == 'Premium' ? 'Enabled' : 'Disabled'
  }
}

// Contributor: ACR Tasks (`az acr build`) needs scheduleRun and the run logs, which AcrPush lacks.
var contributorRoleId = 'b24988ac-6180-42a0-ab88-20f7382dd24c'

resource deployBuilds 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployPrincipalId)) {
  name: guid(registry.id, deployPrincipalId, contributorRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributorRoleId)
    principalId: deployPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output id string = registry.id
output name string = registry.name
output loginServer string = registry.properties.loginServer
