// az-shop on AKS: everything a release needs, in one resource group.
//
//   az deployment group create -g <group> -f infra/main.bicep -p infra/main.parameters.json
//
// CHECKED BY READING ONLY: this template has not been compiled with the Bicep CLI nor deployed
// (the project's machines cannot download the bicep binary). Property names and API versions were
// checked against the Azure resource reference by hand, and infra/infra.unit.spec.ts checks the
// structure (parameters, module paths, resource types, no secret literals). Run `az bicep build -f
// infra/main.bicep` and `az deployment group what-if` before the first real deployment.
//
// docs/deploy.md is the runbook: what to run before and after this, and which secrets go where.

targetScope = 'resourceGroup'

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Short name prefix (3-10 lower-case letters, digits or dashes): resources are <prefix>-aks, <prefix>-app, ...')
@minLength(3)
@maxLength(10)
param prefix string = 'azshop'

@description('Where the shop\'s MongoDB lives. atlas: nothing is provisioned here (docs/deploy.md says how to create the Atlas cluster and its network access).')
@allowed([
  'cosmos-vcore'
  'cosmos-ru'
  'atlas'
])
param database string = 'atlas'

@secure()
@description('cosmos-vcore only: the cluster administrator\'s password (pass it on the command line, never in a file).')
param mongoAdminPassword string = ''

@description('Kubernetes version; empty: the region\'s default.')
param kubernetesVersion string = ''

@description('Availability zones of the node pools; empty in a region without zones.')
param availabilityZones array = [
  '1'
  '2'
  '3'
]

param systemNodeVmSize string = 'Standard_D4ds_v5'
param userNodeVmSize string = 'Standard_D4ds_v5'
param systemNodeCount int = 3
param userNodeMinCount int = 3
param userNodeMaxCount int = 9

@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySku string = 'Standard'

@description('Object id of the service principal the release workflow logs in as (GitHub OIDC federation); empty: assign its roles by hand.')
param deployPrincipalId string = ''

@description('Object id of the person or group who runs the runbook: Key Vault Secrets Officer and AKS RBAC cluster admin; empty: assign the roles by hand.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

param tags object = {
  app: 'az-shop'
}

// Globally unique names get a stable suffix from the resource group.
var suffix = take(uniqueString(resourceGroup().id), 8)
var compactPrefix = replace(prefix, '-', '')

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    prefix: prefix
    tags: tags
    keyVaultName: keyVault.outputs.name
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    location: location
    name: '${compactPrefix}${suffix}'
    tags: tags
    sku: registrySku
    deployPrincipalId: deployPrincipalId
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    prefix: prefix
    tags: tags
  }
}

module aks 'modules/aks.bicep' = {
  name: 'aks'
  params: {
    location: location
    name: '${prefix}-aks'
    tags: tags
    kubernetesVersion: kubernetesVersion
    availabilityZones: availabilityZones
    systemNodeVmSize: systemNodeVmSize
    userNodeVmSize: userNodeVmSize
    systemNodeCount: systemNodeCount
    userNodeMinCount: userNodeMinCount
    userNodeMaxCount: userNodeMaxCount
    registryName: registry.outputs.name
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    azureMonitorWorkspaceId: monitoring.outputs.azureMonitorWorkspaceId
    deployPrincipalId: deployPrincipalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module federation 'modules/federation.bicep' = {
  name: 'federation'
  params: {
    identityName: identity.outputs.name
    oidcIssuerUrl: aks.outputs.oidcIssuerUrl
  }
}

module monitoringAccess 'modules/monitoring-access.bicep' = {
  name: 'monitoring-access'
  params: {
    azureMonitorWorkspaceName: monitoring.outputs.azureMonitorWorkspaceName
    appPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    name: '${prefix}-kv-${suffix}'
    tags: tags
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: '${compactPrefix}img${suffix}'
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module cosmosVcore 'modules/cosmos-vcore.bicep' = if (database == 'cosmos-vcore') {
  name: 'cosmos-vcore'
  params: {
    location: location
    name: '${prefix}-mongo-${suffix}'
    tags: tags
    administratorPassword: mongoAdminPassword
  }
}

module cosmosRu 'modules/cosmos-ru.bicep' = if (database == 'cosmos-ru') {
  name: 'cosmos-ru'
  params: {
    location: location
    name: '${prefix}-mongo-${suffix}'
    tags: tags
  }
}

// What the release needs (workflows/deploy/values/production.json and the release workflow's variables).
output tenantId string = tenant().tenantId
output resourceGroupName string = resourceGroup().name
output registryName string = registry.outputs.name
output registryLoginServer string = registry.outputs.loginServer
output clusterName string = aks.outputs.name
output oidcIssuerUrl string = aks.outputs.oidcIssuerUrl
output appIdentityClientId string = identity.outputs.clientId
output appIdentityName string = identity.outputs.name
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
output storageAccountName string = storage.outputs.name
output storageAccountUrl string = storage.outputs.blobEndpoint
output storageContainerName string = storage.outputs.containerName
output prometheusQueryEndpoint string = monitoring.outputs.prometheusQueryEndpoint
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
output database string = database
@description('cosmos-vcore: the connection string without its password; empty otherwise.')
output mongoConnectionStringTemplate string = database == 'cosmos-vcore' ? cosmosVcore!.outputs.connectionStringTemplate : ''
@description('cosmos-ru: the account whose connection string goes into MONGO_DB; empty otherwise.')
output cosmosAccountName string = database == 'cosmos-ru' ? cosmosRu!.outputs.name : ''
