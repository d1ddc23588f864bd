// The shop's user-assigned managed identity. Pods of ServiceAccount az-shop/az-shop act as it
// (workload identity): Key Vault secrets through the CSI driver, product images in Blob storage.

param location string
param prefix string
param tags object

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${prefix}-app'
  location: location
  tags: tags
}

output id string = app.id
output name string = app.name
output clientId string = app.properties.clientId
output principalId string = app.properties.principalId
